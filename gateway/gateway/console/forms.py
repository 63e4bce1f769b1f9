"""From a submitted form to an API body, leaving every judgement to the API.

Fields are named as the API's error map names them (`email`, `lines.0.quantity`), so a 422's
messages land beside the fields that caused them. Nothing is validated here beyond shape: a
quantity that is not a number is sent as typed, and the API says what is wrong with it.
"""

from __future__ import annotations

import re
from collections import defaultdict

from flask import request

from gateway.console import i18n

LINE_FIELD = re.compile(r"^lines\.(\d+)\.(\w+)$")


def given(*names: str) -> dict:
    """The named fields that were filled in, trimmed."""
    return {
        name: request.form[name].strip() for name in names if request.form.get(name, "").strip()
    }


def words(text: str) -> list[str]:
    """A comma-separated field (tags) as a list."""
    return [word.strip() for word in text.split(",") if word.strip()]


ADDRESS_FIELDS = ("line1", "city", "postal_code", "country")


def address(prefix: str) -> dict | None:
    """A postal address typed into the `<prefix>_line1`, ... boxes (macros.address_fields),
    the country in capitals as the API wants it; none when every box was left empty."""
    typed = {name: request.form.get(f"{prefix}_{name}", "").strip() for name in ADDRESS_FIELDS}
    if not any(typed.values()):
        return None
    return {**typed, "country": typed["country"].upper()}


def number(text: str) -> int | str:
    """A whole number as the reader writes it ("1,200" in English); otherwise the text, for
    the API to refuse in its words."""
    read = i18n.number_typed(text)
    try:
        return int(read)
    except ValueError:
        return text.strip()


def lines(fields: tuple[str, ...]) -> list[dict]:
    """The form's `lines.N.field` inputs as a list of dicts, in N order; a line whose fields
    are all blank is left out (forms offer a few spare rows)."""
    found = _rows(fields)
    return [found[n] for n in sorted(found) if any(found[n].values())]


def chosen_lines(fields: tuple[str, ...], needed: str) -> tuple[list[dict], list[int]]:
    """The lines whose `needed` field was filled in, and each one's row on the form: a form
    that lists every line (a return offers each shipped line) sends only the chosen ones."""
    found = _rows(fields)
    rows = [n for n in sorted(found) if found[n].get(needed)]
    return [found[n] for n in rows], rows


def on_rows(errors: dict[str, str], rows: list[int]) -> dict[str, str]:
    """The API's `lines.K.field` errors moved to the form rows the K-th line came from."""
    moved = {}
    for key, message in errors.items():
        parts = key.split(".")
        if (
            len(parts) > 2
            and parts[0] == "lines"
            and parts[1].isdigit()
            and int(parts[1]) < len(rows)
        ):
            parts[1] = str(rows[int(parts[1])])
        moved[".".join(parts)] = message
    return moved


def _rows(fields: tuple[str, ...]) -> dict[int, dict]:
    found: dict[int, dict] = defaultdict(dict)
    for key, value in request.form.items():
        match = LINE_FIELD.match(key)
        if match and match.group(2) in fields:
            found[int(match.group(1))][match.group(2)] = value.strip()
    return found


def given_args(*names: str) -> dict:
    """The named query parameters that were filled in, trimmed."""
    return {
        name: request.args[name].strip() for name in names if request.args.get(name, "").strip()
    }
