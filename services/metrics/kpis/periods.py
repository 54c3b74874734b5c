"""Periods are calendar dates: the day, week, month, quarter or year holding a day, its label, and staleness.

Observations arrive already bucketed by the sender (its period_start is a date in the sender's time zone), so
nothing here converts time zones.
"""

from __future__ import annotations

from datetime import date, timedelta

from kit.dates import add_months

PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The day, week (from Monday), month, quarter or year holding `day`, as [start, end]."""
    if kind == "day":
        return day, day
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    months = PERIOD_MONTHS[kind]
    start = date(day.year, (day.month - 1) // months * months + 1, 1)
    return start, add_months(start, months) - timedelta(days=1)


def previous_bounds(kind: str, start: date) -> tuple[date, date]:
    """The period of the same kind just before the one starting at `start`."""
    return period_bounds(kind, start - timedelta(days=1))


def period_label(kind: str, start: date) -> str:
    """English label: 'November 2026', 'Q4 2026', '2026'."""
    if kind == "year":
        return str(start.year)
    if kind == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return start.strftime("%B %Y") if kind == "month" else start.isoformat()


def stale_since(frequency: str, today: date) -> date:
    """The start of the previous expected period: a KPI whose latest observation began before it is stale."""
    return previous_bounds(frequency, period_bounds(frequency, today)[0])[0]


def is_stale(frequency: str | None, last: date | None, today: date) -> bool:
    """True when the latest observation began before the previous expected period: one is missing."""
    if frequency is None:
        return False
    return last is None or last < stale_since(frequency, today)
