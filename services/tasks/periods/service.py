"""Business rules of planning periods. Every query is scoped by workspace; a foreign id is NotFound."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete
from sqlmodel import Session, col, select

from kit.db import save
from kit.errors import Invalid
from kit.query import get_scoped, order_by, select_page
from services.tasks.periods.models import (
    CapacityIn,
    CapacityPublic,
    Period,
    PeriodCapacity,
    PeriodCreate,
    PeriodPublic,
    PeriodUpdate,
    PersonCapacity,
)

PERIOD_SORTS = {"name", "starts_on", "ends_on", "capacity_hours", "created_at", "updated_at"}
DEFAULT_ORDER = [col(Period.starts_on)]


def to_public(period: Period) -> PeriodPublic:
    """The public view of a period."""
    return PeriodPublic.model_validate(period)


def list_periods(
    *,
    session: Session,
    workspace_id: int,
    archived: bool | None = False,
    active_on: date | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Period], int]:
    """One page of the workspace's periods and the total that match the filters."""
    where = [Period.workspace_id == workspace_id]
    if archived is not None:
        where.append(Period.archived == archived)
    if active_on is not None:
        where.extend([Period.starts_on <= active_on, Period.ends_on >= active_on])
    order = order_by(Period, sort, PERIOD_SORTS, DEFAULT_ORDER)
    return select_page(session, Period, where, order, limit=limit, offset=offset)


def _check_span(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Invalid.field("ends_on", "must not be before starts_on")


def get_period(*, session: Session, workspace_id: int, period_id: int) -> Period:
    """The period, if it belongs to the workspace."""
    return get_scoped(session, Period, workspace_id, period_id, "period")


def create_period(*, session: Session, workspace_id: int, data: PeriodCreate) -> Period:
    """Add a period to the workspace."""
    _check_span(data.starts_on, data.ends_on)
    period = Period.model_validate(data, update={"workspace_id": workspace_id})
    session.add(period)
    session.flush()
    return period


def update_period(*, session: Session, workspace_id: int, period_id: int, data: PeriodUpdate) -> Period:
    """Change the fields the caller sent; the merged period must still end on or after its start."""
    period = get_period(session=session, workspace_id=workspace_id, period_id=period_id)
    changes = data.model_dump(exclude_unset=True)
    _check_span(changes.get("starts_on", period.starts_on), changes.get("ends_on", period.ends_on))
    return save(session, period, changes)


def set_archived(*, session: Session, workspace_id: int, period_id: int, archived: bool) -> Period:
    """Archive or restore a period; archiving keeps what was planned in it."""
    period = get_period(session=session, workspace_id=workspace_id, period_id=period_id)
    return save(session, period, {"archived": archived})


def people_capacity(*, session: Session, workspace_id: int, period_id: int) -> dict[int, float]:
    """Each person's hours in the period, by user id (only the people who have some set)."""
    rows = session.exec(
        select(PeriodCapacity).where(PeriodCapacity.workspace_id == workspace_id, PeriodCapacity.period_id == period_id)
    ).all()
    return {row.owner_id: row.hours for row in rows}


def get_capacity(*, session: Session, workspace_id: int, period_id: int) -> CapacityPublic:
    """The period's hours and each person's (by user id)."""
    period = get_period(session=session, workspace_id=workspace_id, period_id=period_id)
    people = people_capacity(session=session, workspace_id=workspace_id, period_id=period_id)
    return CapacityPublic(
        period_id=period.id,
        capacity_hours=period.capacity_hours,
        people=[PersonCapacity(owner_id=k, capacity_hours=v) for k, v in sorted(people.items())],
    )


def set_capacity(*, session: Session, workspace_id: int, period_id: int, data: CapacityIn) -> CapacityPublic:
    """Set the team's hours and replace each person's, in one transaction; a person listed twice is a 422."""
    period = get_period(session=session, workspace_id=workspace_id, period_id=period_id)
    seen: set[int] = set()
    for n, person in enumerate(data.people):
        if person.owner_id in seen:
            raise Invalid.field(f"people.{n}.owner_id", "this person is listed twice")
        seen.add(person.owner_id)
    save(session, period, {"capacity_hours": data.capacity_hours})
    session.execute(delete(PeriodCapacity).where(PeriodCapacity.period_id == period.id))
    for person in data.people:
        session.add(
            PeriodCapacity(
                period_id=period.id, owner_id=person.owner_id, workspace_id=workspace_id, hours=person.capacity_hours
            )
        )
    session.flush()
    return get_capacity(session=session, workspace_id=workspace_id, period_id=period_id)
