"""A workspace's working week and holiday country, stored by the tasks service; defaults from its time zone."""

from __future__ import annotations

from sqlmodel import Session, select

from kit.db import save
from kit.errors import Invalid
from services.tasks.workflows.models import CalendarPublic, CalendarUpdate, WorkCalendarRow
from services.tasks.workflows.workdays import WEEKDAYS, WorkCalendar, known_country

ZONE_COUNTRY = {
    "Europe/Oslo": "NO",
    "Europe/Stockholm": "SE",
    "Europe/Helsinki": "FI",
    "Europe/Copenhagen": "DK",
    "Europe/Berlin": "DE",
    "Europe/London": "GB",
    "Atlantic/Reykjavik": "IS",
}


def default_country(timezone: str) -> str:
    """The country a workspace's time zone suggests (no holidays when it suggests none)."""
    return ZONE_COUNTRY.get(timezone, "")


def get_calendar(*, session: Session, workspace_id: int, timezone: str = "UTC") -> CalendarPublic:
    """The workspace's calendar setting, or the default for its time zone."""
    row = session.exec(select(WorkCalendarRow).where(WorkCalendarRow.workspace_id == workspace_id)).first()
    if row is None:
        return CalendarPublic(week="12345", country=default_country(timezone), subdivision=None)
    return CalendarPublic(week=row.week, country=row.country, subdivision=row.subdivision)


def work_calendar(*, session: Session, workspace_id: int, timezone: str = "UTC") -> WorkCalendar:
    """The calendar that dates are computed over."""
    found = get_calendar(session=session, workspace_id=workspace_id, timezone=timezone)
    return WorkCalendar(week=found.week, country=found.country, subdivision=found.subdivision, zone=timezone)


def set_calendar(*, session: Session, workspace_id: int, data: CalendarUpdate) -> CalendarPublic:
    """Change the working week or the holiday country."""
    week = "".join(sorted(set(data.week)))
    if not week or any(c not in WEEKDAYS for c in week):
        raise Invalid.field("week", "use ISO weekday digits 1 (Monday) to 7 (Sunday), e.g. 12345")
    country = data.country.upper()
    if not known_country(country):
        raise Invalid.field("country", "unknown country code (ISO 3166, e.g. NO, SE, FI, DK)")
    row = session.exec(select(WorkCalendarRow).where(WorkCalendarRow.workspace_id == workspace_id)).first()
    row = row or WorkCalendarRow(workspace_id=workspace_id)
    save(session, row, {"week": week, "country": country, "subdivision": data.subdivision or None})
    return CalendarPublic(week=week, country=country, subdivision=row.subdivision)
