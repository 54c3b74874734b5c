"""Planning periods with capacity: the planned effort of each period against its hours, and a period's
actions by status. One grouped query, however many periods or actions."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from services.tasks.actions.models import Action, ActionPublic, ActionStatus
from services.tasks.periods.models import Period


class Load(BaseModel):
    period_id: int
    capacity_hours: float | None = Field(description="The period's hours; null when it has none")
    planned_hours: float = Field(description="Effort of the period's actions that are not dropped")
    actions: int
    unestimated: int = Field(description="Actions without an effort estimate (not in planned_hours)")
    remaining_hours: float | None
    over: bool = Field(description="More effort is planned than the period has hours")
    share: float | None = Field(description="planned ÷ capacity (1.0 is full)")


class PeriodPlan(Load):
    name: str
    starts_on: date
    ends_on: date
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
    return {row[0]: load_of(*row) for row in session.exec(query).all()}


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
    load = loads(session=session, workspace_id=period.workspace_id, period_ids=[period.id])[period.id]
    groups: dict[str, list[ActionPublic]] = {s.value: [] for s in ActionStatus}
    for action in actions:
        groups[action.status.value].append(action)
    return PeriodPlan(
        **load.model_dump(),
        name=period.name,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        by_status={k: v for k, v in groups.items() if v},
    )
