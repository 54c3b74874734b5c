"""Activity figures from the tasks service (per workspace, measure, key and month) and the KPIs they feed."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import STRICT, Id, utcnow
from services.metrics.db import MetricsModel


class ActivityMeasure(StrEnum):
    """What Effekt's own work yields, per month: the tasks service sends these names on the metrics queue."""

    runs_finished = "runs_finished"
    tasks_done = "tasks_done"
    tasks_on_time = "tasks_on_time"
    hours_logged = "hours_logged"
    action_cost = "action_cost"


# Measures that are counted per workflow template when one is named (template_id), else for the workspace.
PER_TEMPLATE = {ActivityMeasure.runs_finished, ActivityMeasure.hours_logged}


class ActivityFigure(MetricsModel, table=True):
    """The latest version of one figure as the tasks service published it."""

    __tablename__ = "activity_figures"

    workspace_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    measure: ActivityMeasure = Field(primary_key=True, sa_type=enum_type(ActivityMeasure))
    key: int = Field(default=0, primary_key=True, sa_column_kwargs={"autoincrement": False})
    month: date = Field(primary_key=True)
    value: float | None = None
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class ActivityKpi(MetricsModel, table=True):
    """A KPI whose values come from an activity figure (source "activity"), filled per month by itself."""

    __tablename__ = "activity_kpis"

    kpi_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    workspace_id: int = Field(index=True)
    measure: ActivityMeasure = Field(sa_type=enum_type(ActivityMeasure))
    key: int = Field(default=0, description="A workflow template's id, or 0: the whole workspace")


class ActivitySourceIn(BaseModel):
    model_config = STRICT
    measure: ActivityMeasure
    template_id: Id | None = Field(
        default=None, description="runs_finished and hours_logged: of this workflow template (else all)"
    )


class ActivityKpiPublic(BaseModel):
    kpi_id: int
    measure: ActivityMeasure
    template_id: int | None


class ActivityFigurePublic(BaseModel):
    measure: ActivityMeasure
    template_id: int | None
    month: date
    value: float | None
    version: int
