"""When a connector runs: daily at its time in the workspace's zone; the slot names the run (its unique key)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str) -> ZoneInfo:
    """The zone, UTC if it is unknown here."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def next_slot(run_at: time, timezone: str, after: datetime) -> datetime:
    """The first daily slot strictly after `after`, in UTC (a slot a DST gap skips falls an hour later)."""
    tz = zone(timezone)
    local = after.astimezone(tz)
    candidate = datetime.combine(local.date(), run_at, tzinfo=tz)
    if candidate.astimezone(UTC) <= after:
        candidate = datetime.combine(local.date() + timedelta(days=1), run_at, tzinfo=tz)
    return candidate.astimezone(UTC)


def today_in(timezone: str, now: datetime | None = None) -> date:
    """Today's date in the zone."""
    return (now or datetime.now(UTC)).astimezone(zone(timezone)).date()


def slot_key(slot: datetime) -> str:
    """The run key of a scheduled slot: the same for every worker that sees it."""
    return "schedule:" + slot.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def as_utc(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
