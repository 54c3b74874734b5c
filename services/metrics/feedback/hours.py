"""Answer-time targets: when a target of N hours runs out, around the clock or in working hours (Mon-Fri 08-16)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_START = time(8)
DAY_END = time(16)


def zone(name: str | None) -> ZoneInfo:
    """The workspace's zone, UTC when unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def aware(moment: datetime) -> datetime:
    """A stored datetime as UTC-aware (SQLite hands back naive UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def month_of(moment: datetime, tz: str | None) -> date:
    """The first day of the month `moment` falls in, in the workspace's zone."""
    return aware(moment).astimezone(zone(tz)).date().replace(day=1)


def due_at(received: datetime, hours: float, *, working_hours: bool, tz: str | None) -> datetime:
    """When `hours` after `received` run out: wall-clock hours, or only Mon-Fri 08:00-16:00 in the zone."""
    received = aware(received)
    if not working_hours:
        return received + timedelta(hours=hours)
    here = zone(tz)
    local = received.astimezone(here)
    left = timedelta(hours=hours)
    for _ in range(20_000):  # ~55 years of days: a bound, never reached with targets up to a year
        day = local.date()
        start = datetime.combine(day, DAY_START, here)
        end = datetime.combine(day, DAY_END, here)
        if day.weekday() < 5 and local < end:
            local = max(local, start)
            if local + left <= end:
                return (local + left).astimezone(UTC)
            left -= end - local
        local = datetime.combine(day + timedelta(days=1), DAY_START, here)
    raise ValueError("target too long")
