"""The console in its reader's language: English and Simplified Chinese (Flask-Babel).

The language is the one the reader chose in the header (a cookie, kept a year), else the best
their browser asks for (Accept-Language), else English. Numbers, money and dates are written
as that language writes them (Babel's locale data): "€1,234.50" and "Dec 6, 2026 20:30" in
English, "¥1,234.50" and "2026年12月6日 20:30" in Chinese. Times are UTC, as the API gives them.

Messages live in translations/<language>/LC_MESSAGES/messages.po (zh, which Babel finds for
zh_CN); the .mo beside it is what runs, written by `make translations`
(tests/test_console_translations.py fails while either is stale or a string of a page is left
untranslated).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from babel.dates import format_skeleton
from babel.numbers import NumberFormatError, format_currency, format_decimal, parse_decimal
from flask import Flask, request
from flask_babel import Babel, get_locale

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
DEFAULT = "en"
COOKIE = "erp_lang"
COOKIE_SECONDS = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).parent / "translations"


def chosen_language() -> str:
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, DEFAULT)


def install(app: Flask) -> None:
    Babel(
        app,
        locale_selector=chosen_language,
        default_translation_directories=str(TRANSLATIONS),
        default_timezone="UTC",
    )


def money(amount, currency: str | None = None) -> str:
    """A decimal string from the API in the reader's way of writing money (the API's own
    rounding, never recomputed); without a currency, the amount alone."""
    if amount in (None, ""):
        return "—"
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    locale = get_locale()
    if currency:
        return format_currency(value, currency, locale=locale)
    return format_decimal(value, format="#,##0.00", locale=locale)


def when(value: str | None, style: str = "minute") -> str:
    """An API timestamp (UTC, ISO 8601) as a date, to the minute unless `style` is "date"."""
    if not value:
        return "—"
    moment = datetime.fromisoformat(value)
    locale = get_locale()
    day = format_skeleton("yMMMd", moment, locale=locale)
    return day if style == "date" else f"{day} {format_skeleton('Hm', moment, locale=locale)}"


def month(value: datetime) -> str:
    """A month with its year, as a chart's axis names it ("Dec 2026", "2026年12月")."""
    return format_skeleton("yMMM", value, locale=get_locale())


def number_typed(text: str) -> str:
    """A number as the reader typed it ("5,000" in English) in the API's form ("5000"); what
    cannot be read is passed on as typed, for the API to refuse beside its field."""
    try:
        return str(parse_decimal(text.strip(), locale=get_locale(), strict=True))
    except (NumberFormatError, ValueError):
        return text
