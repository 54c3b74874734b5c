"""What the goal endpoints answer: goals with computed progress, the nested tree, history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, WithJsonSchema

from kit.query import Page
from services.goals.goals.models import GoalAction, GoalLevel
from services.goals.goals.progress import Status


def metrics_enum(name: str) -> WithJsonSchema:
    """Documented as the metrics service's enum (the merged document holds it); a plain string here, so a value
    metrics adds later never breaks this service."""
    return WithJsonSchema({"anyOf": [{"$ref": f"#/components/schemas/{name}"}, {"type": "null"}]})


class KpiProgress(BaseModel):
    """A KPI counted in a goal's progress, with its weight and its figures as metrics gives them."""

    kpi_id: int
    weight: float
    name: str | None = Field(default=None, description="As metrics names it; null when metrics did not answer")
    unit: Annotated[str | None, metrics_enum("Unit")] = None
    direction: Annotated[str | None, metrics_enum("Direction")] = None
    actual: float | None = None
    target: float | None = None
    attainment: float | None = Field(default=None, description="0..1; null when not measured")
    status: Status
    found: bool = Field(description="False when metrics did not return this KPI (unavailable, or gone)")


class Measured(BaseModel):
    progress: float | None = Field(description="0..1, computed; null when nothing in the subtree is measured")
    status: Status
    kpis_unavailable: bool = Field(
        default=False, description="The metrics service could not be asked: KPIs count as not measured"
    )


class GoalPublic(Measured):
    id: int
    title: str
    description: str | None
    level: GoalLevel
    parent_id: int | None
    owner_id: int | None
    period_from: date | None
    period_to: date | None
    weight: float
    position: int
    archived: bool
    created_at: datetime
    updated_at: datetime
    child_count: int = Field(description="Children that count for progress (active ones of an active goal)")
    surface_ids: list[int]
    kpis: list[KpiProgress]


class GoalSummary(BaseModel):
    id: int
    title: str
    level: GoalLevel
    weight: float
    position: int
    archived: bool
    progress: float | None
    status: Status


class GoalCrumb(BaseModel):
    id: int
    title: str
    level: GoalLevel


class GoalDetail(GoalPublic):
    children: list[GoalSummary] = Field(description="In sibling order; archived ones only if this goal is archived")
    ancestors: list[GoalCrumb] = Field(description="The breadcrumb, root first, without the goal itself")


class GoalList(Page[GoalPublic]):
    kpis_unavailable: bool = False


class GoalNode(BaseModel):
    id: int
    title: str
    level: GoalLevel
    owner_id: int | None
    period_from: date | None
    period_to: date | None
    weight: float
    position: int
    archived: bool
    surface_ids: list[int]
    kpis: list[KpiProgress]
    progress: float | None
    status: Status
    children: list[GoalNode]


class GoalTree(BaseModel):
    data: list[GoalNode] = Field(description="The roots, in order, each with its children nested")
    count: int = Field(description="Nodes in the whole tree")
    kpis_unavailable: bool = False


class GoalEventPublic(BaseModel):
    id: int
    goal_id: int
    user_id: int
    at: datetime
    action: GoalAction
    changes: dict[str, Any] = Field(description="{field: [old, new]}")


class GoalEventList(Page[GoalEventPublic]):
    pass
