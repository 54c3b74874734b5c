"""The goal tree: goals at three levels, their surfaces and KPI links, their history; what a write accepts.

What the goal endpoints answer (with computed progress) is in schemas.py."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import MAX_ID, STRICT, FiniteFloat, Id, Name, OptionalDay, OptionalText, utcnow
from services.goals.db import GoalsModel

MAX_WEIGHT = 1_000_000.0  # weights are relative; a bound keeps sums of them finite


class GoalLevel(StrEnum):
    """The three levels of the goal tree."""

    strategic_goal = "strategic_goal"
    strategic_means = "strategic_means"
    tactical_means = "tactical_means"


# The level a goal's parent must have; a strategic goal is a root.
PARENT_LEVEL: dict[GoalLevel, GoalLevel | None] = {
    GoalLevel.strategic_goal: None,
    GoalLevel.strategic_means: GoalLevel.strategic_goal,
    GoalLevel.tactical_means: GoalLevel.strategic_means,
}


class GoalAction(StrEnum):
    """What happened to a goal in one event of its history."""

    created = "created"
    updated = "updated"
    moved = "moved"
    archived = "archived"
    restored = "restored"
    kpi_linked = "kpi_linked"
    kpi_unlinked = "kpi_unlinked"


class GoalBase(GoalsModel):
    title: Name = Field(min_length=1, max_length=200)
    description: OptionalText = Field(default=None, max_length=5000, sa_type=sa.Text)
    owner_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="User id of a workspace member")
    period_from: OptionalDay = None
    period_to: OptionalDay = Field(default=None, description="On or after period_from")
    weight: FiniteFloat = Field(
        default=1.0, ge=0, le=MAX_WEIGHT, description="Weight among its siblings in the parent's progress"
    )


class Goal(GoalBase, table=True):
    __tablename__ = "goals"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    parent_id: int | None = Field(default=None, foreign_key="goals.id", index=True)
    level: GoalLevel = Field(sa_type=enum_type(GoalLevel))
    position: int = Field(default=0, description="Order among its siblings, 0 first")
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class GoalSurface(GoalsModel, table=True):
    """A tactical means is tied to one or more surfaces."""

    __tablename__ = "goal_surfaces"

    goal_id: int = Field(foreign_key="goals.id", primary_key=True)
    surface_id: int = Field(foreign_key="surfaces.id", primary_key=True, index=True)


class GoalKpi(GoalsModel, table=True):
    """A link to a KPI of the metrics service (an id only: metrics owns the KPI)."""

    __tablename__ = "goal_kpis"

    goal_id: int = Field(foreign_key="goals.id", primary_key=True)
    kpi_id: int = Field(primary_key=True, index=True)
    weight: float = Field(default=1.0)


class GoalEvent(GoalsModel, table=True):
    """One change of one goal: who, when, what, and each changed field as [old, new]."""

    __tablename__ = "goal_events"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    goal_id: int = Field(foreign_key="goals.id", index=True)
    user_id: int
    at: datetime = Field(default_factory=utcnow)
    action: GoalAction = Field(sa_type=enum_type(GoalAction))
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


# --- input -----------------------------------------------------------------------------------------


class KpiLinkIn(GoalsModel):
    """A KPI of the metrics service counted in a goal's progress, with its weight."""

    model_config = STRICT

    kpi_id: int = Field(ge=1, le=MAX_ID, description="Id of a KPI in the metrics service, same workspace")
    weight: FiniteFloat = Field(
        default=1.0, ge=0, le=MAX_WEIGHT, description="Weight of this KPI in the goal's progress"
    )


def _unique_kpis(value: list[KpiLinkIn] | None) -> list[KpiLinkIn] | None:
    if value is not None:
        seen = [link.kpi_id for link in value]
        if len(seen) != len(set(seen)):
            raise ValueError("each KPI may be linked once")
    return value


def _unique_ids(value: list[int] | None) -> list[int] | None:
    return None if value is None else list(dict.fromkeys(value))


class GoalCreate(GoalBase):
    """A new goal under its parent. `owner_id` must be a member of the workspace."""

    model_config = STRICT

    level: GoalLevel
    parent_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        description="A strategic goal for a strategic means; a strategic means for a "
        "tactical means; none for a strategic goal",
    )
    position: int | None = Field(default=None, ge=0, le=MAX_ID, description="Place among its siblings; default last")
    surface_ids: list[Id] = Field(
        default_factory=list, max_length=100, description="Tactical means only: at least one active surface"
    )
    kpis: list[KpiLinkIn] = Field(default_factory=list, max_length=200)

    _kpis_once = field_validator("kpis")(_unique_kpis)
    _surfaces_once = field_validator("surface_ids")(_unique_ids)


class GoalUpdate(GoalsModel):
    """Changes to a goal: only the fields sent change. `description`, `owner_id` and the period may be null;
    the other fields may be left out but not set to null."""

    model_config = STRICT

    title: Name = Field(default=None, min_length=1, max_length=200)
    description: OptionalText = Field(default=None, max_length=5000)
    owner_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="User id of a workspace member")
    period_from: OptionalDay = None
    period_to: OptionalDay = None
    weight: FiniteFloat = Field(default=None, ge=0, le=MAX_WEIGHT)
    level: GoalLevel = Field(default=None, description="Fixed by the place in the tree: only the current level")
    position: int = Field(default=None, ge=0, le=MAX_ID, description="Reorder among its siblings")
    surface_ids: list[Id] = Field(default=None, max_length=100, description="Replaces the set")
    kpis: list[KpiLinkIn] = Field(default=None, max_length=200, description="Replaces the set of links")

    _kpis_once = field_validator("kpis")(_unique_kpis)
    _surfaces_once = field_validator("surface_ids")(_unique_ids)


class GoalMove(GoalsModel):
    """Where a goal moves: under another parent (of the right level) and/or to another place."""

    model_config = STRICT

    parent_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="The new parent (left out: the same parent; null: a root)"
    )
    position: int | None = Field(
        default=None, ge=0, le=MAX_ID, description="Place among the new siblings; default last"
    )
