"""The tasks service's part of the demo: the four quarters of the current year as planning periods."""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from services.tasks.actions import demo as actions_demo
from services.tasks.activity import demo as activity_demo
from services.tasks.periods import service as periods
from services.tasks.periods.models import Period, PeriodCreate
from services.tasks.workflows import demo as workflow_demo

QUARTER_CAPACITY_HOURS = 120.0


def quarters(year: int) -> list[tuple[str, date, date]]:
    """Name, first day and last day of each quarter of `year`."""
    out = []
    for q in range(1, 5):
        last_month = q * 3
        out.append(
            (
                f"Q{q} {year}",
                date(year, last_month - 2, 1),
                date(year, last_month, calendar.monthrange(year, last_month)[1]),
            )
        )
    return out


def seed(
    session: Session, *, workspace_id: int, people: dict[str, int], today: date | None = None, refs: dict | None = None
) -> bool:
    """Add this year's quarters unless the workspace has periods already; True if it added them."""
    workflow_demo.seed(session, workspace_id=workspace_id, people=people, today=today)
    if refs is not None:
        refs["people"] = people  # for the action list's demo, made in connect() once metrics has seeded
        activity_demo.seed(session, workspace_id=workspace_id, refs=refs)
    if session.exec(select(func.count()).select_from(Period).where(Period.workspace_id == workspace_id)).one():
        return False
    today = today or date.today()
    for name, starts_on, ends_on in quarters(today.year):
        periods.create_period(
            session=session,
            workspace_id=workspace_id,
            data=PeriodCreate(
                name=name,
                starts_on=starts_on,
                ends_on=ends_on,
                capacity_hours=QUARTER_CAPACITY_HOURS,
                notes="Quarterly planning period for the web team.",
            ),
        )
    return True


def connect(session: Session, *, workspace_id: int, refs: dict) -> bool:
    """The demo's action list, from the findings and KPIs the metrics demo handed over."""
    return actions_demo.seed(session, workspace_id=workspace_id, refs=refs)
