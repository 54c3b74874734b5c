"""Planning periods with capacity: the planned effort of each period against its hours (and of each person
against their own hours, where set), and a period's actions by status. Grouped queries, however many periods,
people or actions."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from services.tasks.actions.models import Action, ActionPublic, ActionStatus
from services.tasks.periods.models import Period, PeriodCapacity


class Load(BaseModel):
    period_id: int
    capacity_hours: float | None = Field(description="The period's hours; null when it has none")
    planned_hours: float = Field(description="Effort of the period's actions that are not dropped")
    actions: int
    unestimated: int = Field(description="Actions without an effort estimate (not in planned_hours)")
    remaining_hours: float | None
    over: bool = Field(description="More effort is planned than the period has hours")
    share: float | None = Field(description="planned ÷ capacity (1.0 is full)")
    people_over: int = Field(default=0, description="People with more effort planned than their own hours")


class PersonLoad(BaseModel):
    owner_id: int | None = Field(description="User id of the owner; null for the actions nobody owns yet")
    capacity_hours: float | None = Field(description="The person's hours in the period; null when not set")
    planned_hours: float = Field(description="Effort of the person's actions in the period that are not dropped")
    actions: int
    unestimated: int
    remaining_hours: float | None
    over: bool = Field(description="More effort is planned for the person than their hours")
    share: float | None


class PeriodPlan(Load):
    name: str
    starts_on: date
    ends_on: date
    people: list[PersonLoad] = Field(description="Planned effort per owner against their own capacity, if set")
    by_status: dict[str, list[ActionPublic]] = Field(description="The period's actions, by status")


def loads(*, session: Session, workspace_id: int, period_ids: list[int] | None = None) -> dict[int, Load]:
    """Planned hours against capacity for the workspace's periods (or the ones given)."""
    effort = sa.func.coalesce(sa.func.sum(col(Action.effort_hours)), 0.0)
    missing = sa.func.sum(sa.case((col(Action.effort_hours).is_(None), 1), else_=0))
    joined = sa.and_(col(Action.period_id) == col(Period.id), col(Action.status) != ActionStatus.dropped)
    query = (
        select(Period.id, Period.capacity_hours, effort, sa.func.count(col(Action.id)), missing)
        .outerjoin(Action, joined)
        .where(Period.workspace_id == workspace_id)
        .group_by(Period.id, Period.capacity_hours)
    )
    if period_ids is not None:
        query = query.where(col(Period.id).in_(period_ids))
    found = {row[0]: load_of(*row) for row in session.exec(query).all()}
    for period_id, over in _people_over(session, workspace_id, period_ids).items():
        if period_id in found:
            found[period_id].people_over = over
    return found


def _planned_per_person(workspace_id: int):
    """(period, owner) → planned hours, actions, unestimated: the actions that are not dropped."""
    return (
        select(
            col(Action.period_id).label("period_id"),
            col(Action.owner_id).label("owner_id"),
            sa.func.coalesce(sa.func.sum(col(Action.effort_hours)), 0.0).label("planned"),
            sa.func.count(col(Action.id)).label("actions"),
            sa.func.sum(sa.case((col(Action.effort_hours).is_(None), 1), else_=0)).label("missing"),
        )
        .where(
            Action.workspace_id == workspace_id,
            col(Action.period_id).is_not(None),
            col(Action.status) != ActionStatus.dropped,
        )
        .group_by(col(Action.period_id), col(Action.owner_id))
    )


def _people_over(session: Session, workspace_id: int, period_ids: list[int] | None) -> dict[int, int]:
    """How many people are planned beyond their own hours, per period (one query)."""
    planned = _planned_per_person(workspace_id).subquery()
    same = sa.and_(planned.c.period_id == PeriodCapacity.period_id, planned.c.owner_id == PeriodCapacity.owner_id)
    query = (
        select(PeriodCapacity.period_id, sa.func.count())
        .join(planned, same)
        .where(PeriodCapacity.workspace_id == workspace_id, planned.c.planned > col(PeriodCapacity.hours))
        .group_by(col(PeriodCapacity.period_id))
    )
    if period_ids is not None:
        query = query.where(col(PeriodCapacity.period_id).in_(period_ids))
    return {period_id: count for period_id, count in session.exec(query).all()}


def people_loads(*, session: Session, period: Period) -> list[PersonLoad]:
    """Each owner's planned effort in the period against their own hours: the people with hours set or with
    actions planned, the most loaded first by share (then by hours), the actions nobody owns last. One query:
    the planned effort per owner and the people's hours, as one union."""
    planned = _planned_per_person(period.workspace_id).where(col(Action.period_id) == period.id)
    hours = select(
        col(PeriodCapacity.period_id),
        col(PeriodCapacity.owner_id),
        sa.literal(0.0),
        sa.literal(0),
        sa.literal(0),
        col(PeriodCapacity.hours),
    ).where(PeriodCapacity.workspace_id == period.workspace_id, PeriodCapacity.period_id == period.id)
    union = sa.union_all(planned.add_columns(sa.cast(sa.null(), sa.Float)), hours)
    rows: dict[int | None, tuple[float, int, int]] = {}
    capacity: dict[int | None, float] = {}
    for _, owner, effort, n, missing, own in session.execute(union).all():
        if own is not None:
            capacity[owner] = own
        else:
            rows[owner] = (float(effort or 0), int(n or 0), int(missing or 0))
    people = []
    for owner in {*rows, *capacity}:
        effort, n, missing = rows.get(owner, (0.0, 0, 0))
        load = load_of(0, capacity.get(owner), effort, n, missing)
        people.append(PersonLoad(owner_id=owner, **load.model_dump(exclude={"period_id", "people_over"})))
    share = {p.owner_id: -1.0 if p.share is None else p.share for p in people}
    return sorted(people, key=lambda p: (p.owner_id is None, -share[p.owner_id], -p.planned_hours, p.owner_id or 0))


def load_of(period_id: int, capacity: float | None, planned: float, count: int, missing: Any) -> Load:
    planned = float(planned or 0)
    return Load(
        period_id=period_id,
        capacity_hours=capacity,
        planned_hours=planned,
        actions=count,
        unestimated=int(missing or 0),
        remaining_hours=None if capacity is None else capacity - planned,
        over=capacity is not None and planned > capacity,
        share=planned / capacity if capacity else None,
    )


def period_plan(*, session: Session, period: Period, actions: list[ActionPublic]) -> PeriodPlan:
    """A period, its load and its actions grouped by status (in the status order)."""
    people = people_loads(session=session, period=period)  # the team's load is the sum of its people's
    load = load_of(
        period.id, period.capacity_hours, sum(p.planned_hours for p in people), sum(p.actions for p in people),
        sum(p.unestimated for p in people),
    )  # fmt: skip
    load.people_over = sum(1 for p in people if p.over)
    groups: dict[str, list[ActionPublic]] = {s.value: [] for s in ActionStatus}
    for action in actions:
        groups[action.status.value].append(action)
    return PeriodPlan(
        **load.model_dump(),
        name=period.name,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        people=people,
        by_status={k: v for k, v in groups.items() if v},
    )
