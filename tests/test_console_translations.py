"""The console reads wholly in Simplified Chinese as in English: every message of its
templates and views has its translation, the compiled catalogue that runs is the one the .po
says, and no text of a page is left outside a message (where it could not be translated)."""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

CONSOLE = Path(__file__).resolve().parents[1] / "gateway" / "gateway" / "console"
TEMPLATES = CONSOLE / "templates" / "console"
CATALOGUE = CONSOLE / "translations" / "zh" / "LC_MESSAGES"
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
# Text a page shows, in attributes a person reads or hears (a screen reader).
READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
WORDS = re.compile(r"[A-Za-z]{2,}")


def messages() -> set[tuple[str | None, str]]:
    """(context, message id) of every message the templates and views ask for."""
    return {
        (context, message if isinstance(message, str) else message[0])
        for _file, _line, message, _comments, context in extract_from_dir(CONSOLE, METHODS)
    }


def catalogue():
    with (CATALOGUE / "messages.po").open("rb") as po:
        written = read_po(po)
    fuzzy = [m.id for m in written if m.id and m.fuzzy]
    assert fuzzy == [], f"fuzzy translations to check: {fuzzy}"
    return [m for m in written if m.id]


def test_every_message_has_its_chinese_translation():
    translated = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]): m.string
        for m in catalogue()
        if (m.string if isinstance(m.string, str) else all(m.string))
    }
    missing = sorted(str(m) for m in messages() if m not in translated)
    assert missing == [], f"untranslated (make translations, then fill in msgstr): {missing}"


def test_the_catalogue_that_runs_is_the_one_written():
    """The .mo as gettext reads it: plural forms by (id, n), a context as "context\\x04id"."""
    expected = {}
    for m in catalogue():
        key = m.id if isinstance(m.id, str) else m.id[0]
        key = f"{m.context}\x04{key}" if m.context else key
        if isinstance(m.string, str):
            expected[key] = m.string
        else:
            expected.update({(key, n): form for n, form in enumerate(m.string)})
    with (CATALOGUE / "messages.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    assert {k: v for k, v in compiled.items() if k} == expected, "run make translations"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and WORDS.search(value):
                self.found.append(f'<{tag} {name}="{value}">')

    def handle_data(self, data):
        if WORDS.search(data):
            self.found.append(data.strip())


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_no_page_text_is_left_outside_a_message(template):
    page = _Text()
    page.feed(JINJA.sub(" ", template.read_text()))
    assert page.found == [], "wrap these in {{ _('...') }} and run make translations"
