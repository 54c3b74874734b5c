"""Calendar arithmetic the services share."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_period_end(start: date, cadence: str, today: date) -> date:
    """The first end of a cadence period (counted from `start`) that is after `today`."""
    step = CADENCE_MONTHS[cadence]
    if start > today:
        return add_months(start, step)
    elapsed = (today.year - start.year) * 12 + today.month - start.month
    n = max(1, elapsed // step)
    end = add_months(start, n * step)
    while end <= today:
        n += 1
        end = add_months(start, n * step)
    return end


def as_utc(value: datetime) -> datetime:
    """A datetime read back from SQLite may be naive; every stored datetime is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
