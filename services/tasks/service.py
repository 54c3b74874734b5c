"""Business rules of planning periods. Every query is scoped by workspace; a foreign id is NotFound."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from kit.errors import Invalid, NotFound
from services.tasks.models import Period, PeriodCreate, PeriodPublic, PeriodUpdate, utcnow

PERIOD_SORTS = {"name", "starts_on", "ends_on", "capacity_hours", "created_at", "updated_at"}


def to_public(period: Period) -> PeriodPublic:
    """The public view of a period."""
    return PeriodPublic.model_validate(period)


def list_periods(*, session: Session, workspace_id: int, archived: bool | None = False,
                 active_on: date | None = None, sort: str | None = None,
                 limit: int = 50, offset: int = 0) -> tuple[list[Period], int]:
    """One page of the workspace's periods and the total that match the filters."""
    where = [Period.workspace_id == workspace_id]
    if archived is not None:
        where.append(Period.archived == archived)
    if active_on is not None:
        where.extend([Period.starts_on <= active_on, Period.ends_on >= active_on])
    total = session.exec(select(func.count()).select_from(Period).where(*where)).one()
    order = _order_by(sort)
    rows = session.exec(select(Period).where(*where).order_by(*order).limit(limit).offset(offset)).all()
    return list(rows), total


def _order_by(sort: str | None):
    if not sort:
        return [col(Period.starts_on), col(Period.id)]
    desc = sort.startswith("-")
    name = sort.removeprefix("-")
    if name not in PERIOD_SORTS:
        raise Invalid.field("sort", f"unknown sort field; use one of {', '.join(sorted(PERIOD_SORTS))}")
    column = col(getattr(Period, name))
    # NULLS LAST on both backends: SQLite and PostgreSQL disagree on where NULL sorts by default.
    return [(column.desc() if desc else column.asc()).nulls_last(), col(Period.id)]


def _check_span(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise Invalid.field("ends_on", "must not be before starts_on")


def get_period(*, session: Session, workspace_id: int, period_id: int) -> Period:
    """The period, if it belongs to the workspace."""
    period = session.get(Period, period_id)
    if period is None or period.workspace_id != workspace_id:
        raise NotFound(f"No period {period_id} in this workspace.")
    return period


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
    period.sqlmodel_update(changes)
    period.updated_at = utcnow()
    session.add(period)
    session.flush()
    return period


def set_archived(*, session: Session, workspace_id: int, period_id: int, archived: bool) -> Period:
    """Archive or restore a period; archiving keeps what was planned in it."""
    period = get_period(session=session, workspace_id=workspace_id, period_id=period_id)
    period.archived = archived
    period.updated_at = utcnow()
    session.add(period)
    session.flush()
    return period
