"""Numbers and dates for pages, formatted so that rendering never fails on a value, however huge or far.

Babel quantizes through Python's decimal context (28 digits): 1e28 raised InvalidOperation and turned the KPI
page and the scorecard into a 500. The API bounds values now (kit.fields), but stored or derived figures may
still be anything a float holds; here they are formatted with room for every digit, or shown plainly."""

from __future__ import annotations

import decimal
import logging
import math
from datetime import date
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

log = logging.getLogger("effekt.frontend")
PATTERN = "#,##0.##"


def number(value: Any, lang: str, pattern: str = PATTERN) -> str:
    """A figure in the page's language ("1 234,5"); a value Babel cannot take is shown as Python writes it."""
    try:
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        with decimal.localcontext() as ctx:
            ctx.prec = 400  # a float's whole integer part (up to 309 digits) and two decimals
            return format_decimal(value, pattern, locale=lang)
    except (ArithmeticError, ValueError, TypeError):
        log.warning("could not format %r as a number", value)
        return f"{value:g}" if isinstance(value, float) else str(value)


def money(value: Any, currency: str, lang: str) -> str:
    """An amount with its currency ("NOK 1,234.5"), never failing (see number)."""
    try:
        with decimal.localcontext() as ctx:
            ctx.prec = 400
            return format_currency(value, currency, format="¤\u00a0#,##0.##", locale=lang, currency_digits=False)
    except (ArithmeticError, ValueError, TypeError):
        return f"{currency}\u00a0{number(value, lang)}"


def as_date(value: Any) -> date | None:
    """A date from a date or an ISO string; None for anything a date cannot hold (year 10000, garbage)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def day(value: Any, lang: str, form: str = "medium") -> str:
    """A date in the page's language; one that cannot be read is shown as it came."""
    parsed = as_date(value)
    if parsed is None:
        return str(value)
    try:
        return format_date(parsed, form, locale=lang)
    except (ValueError, OverflowError):
        return parsed.isoformat()
