"""The action list: changes that findings suggest, with effort, gain, a planning period and a history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

import annotated_types
import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, field_validator
from pydantic import Field as PField
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import STRICT, Id, Name, OptionalDay, OptionalFiniteFloat, OptionalText, not_null, utcnow
from kit.query import Page
from services.tasks.db import TasksModel


class ChangeKind(StrEnum):
    """What the action changes: the same four kinds a finding of a measurement cycle names."""

    technology = "technology"
    content = "content"
    channel = "channel"
    way_of_working = "way_of_working"


class ActionStatus(StrEnum):
    idea = "idea"
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    evaluated = "evaluated"
    dropped = "dropped"


class EffortSize(StrEnum):
    """T-shirt sizes; the workspace's settings say how many hours each is."""

    S = "S"
    M = "M"
    L = "L"
    XL = "XL"


class ActionEventKind(StrEnum):
    """What a line of an action's history records (actions.service.record's callers)."""

    created = "created"
    planned = "planned"
    status = "status"


class ExpectedDirection(StrEnum):
    up = "up"
    down = "down"


class SizeUnit(StrEnum):
    absolute = "absolute"
    percent = "percent"


class Verdict(StrEnum):
    confirmed = "confirmed"
    inconclusive = "inconclusive"
    contradicted = "contradicted"


class Quadrant(StrEnum):
    """The priority matrix's quadrants, in the action list's default order."""

    quick_win = "quick_win"
    big_bet = "big_bet"
    fill_in = "fill_in"
    money_pit = "money_pit"


Gain = Annotated[int, annotated_types.Ge(1), annotated_types.Le(5)]
RICE_IMPACTS = (0.25, 0.5, 1, 2, 3)


def _rice_impact(value: float) -> float:
    if value not in RICE_IMPACTS:
        raise ValueError("must be one of 0.25, 0.5, 1, 2 or 3")
    return value


# A number checked against the scale rather than a float enum: client generators make enums of strings and
# integers only (openapi-python-client dropped every action schema over `enum: [0.25, …]`).
RiceImpact = Annotated[
    float,
    annotated_types.Ge(0.25),
    annotated_types.Le(3),
    AfterValidator(_rice_impact),
    PField(description="RICE impact: 0.25, 0.5, 1, 2 or 3"),
]
RiceConfidence = Literal[50, 80, 100]
IceScore = Annotated[int, annotated_types.Ge(1), annotated_types.Le(10)]
Hours = Annotated[float, annotated_types.Ge(0), annotated_types.Le(100_000)]
Money = Annotated[float, annotated_types.Ge(0), annotated_types.Le(1e12)]
Window = Annotated[int, annotated_types.Ge(1), annotated_types.Le(36)]
Reason = Annotated[str, annotated_types.MinLen(1), annotated_types.MaxLen(2000)]

DEFAULT_SIZE_HOURS = {"S": 4.0, "M": 16.0, "L": 40.0, "XL": 80.0}


class ActionFields(TasksModel):
    """What a caller may set on an action (every field optional but the title)."""

    description: OptionalText = Field(default=None, max_length=4000)
    change_kind: ChangeKind = Field(
        default=ChangeKind.content,
        sa_type=enum_type(ChangeKind),
        description="technology, content, channel or way_of_working",
    )
    surface_id: Id | None = Field(default=None, description="A surface of the goals service")
    goal_id: Id | None = Field(default=None, description="A goal of the goals service")
    kpi_id: Id | None = Field(default=None, description="The metrics KPI the action should move")
    expected_direction: ExpectedDirection | None = Field(default=None, sa_type=enum_type(ExpectedDirection))
    expected_size: OptionalFiniteFloat = Field(default=None, ge=0, description="How much the KPI should move")
    expected_unit: SizeUnit = Field(default=SizeUnit.percent, sa_type=enum_type(SizeUnit))
    baseline_value: OptionalFiniteFloat = Field(default=None, description="The KPI's figure when the action was made")
    evaluation_periods: Window | None = Field(
        default=None,
        description="How many of the KPI's periods after completion judge the effect (default: "
        "one cadence period of the surface)",
    )
    hypothesis: OptionalText = Field(default=None, max_length=1000)
    finding_id: Id | None = Field(default=None, description="The metrics finding it came from")
    feedback_item_ids: list[Id] = Field(
        default_factory=list,
        sa_type=sa.JSON,
        max_length=100,
        description="The metrics feedback items it came from (complaints it should reduce)",
    )
    owner_id: Id | None = Field(default=None, description="User id of a workspace member")
    effort_hours: Hours | None = Field(default=None, description="Estimated hours; or give effort_size")
    effort_size: EffortSize | None = Field(default=None, sa_type=enum_type(EffortSize))
    gain: Gain | None = Field(default=None, description="1-5; empty: suggested from the expected effect")
    reach: Annotated[int, annotated_types.Ge(0), annotated_types.Le(10**9)] | None = Field(default=None)
    rice_impact: RiceImpact | None = Field(default=None, sa_type=sa.Float)
    rice_confidence: RiceConfidence | None = Field(default=None, sa_type=sa.Integer)
    ice_impact: IceScore | None = None
    ice_confidence: IceScore | None = None
    ice_ease: IceScore | None = None
    cost: Money | None = Field(default=None, description="Money it costs, in the workspace's currency")
    period_id: Id | None = Field(default=None, description="The planning period it is planned into")
    due_on: OptionalDay = None


class Action(ActionFields, table=True):
    __tablename__ = "actions"
    __table_args__ = (sa.Index("ix_actions_workspace_kpi", "workspace_id", "kpi_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    title: str = Field(max_length=200)
    status: ActionStatus = Field(default=ActionStatus.idea, sa_type=enum_type(ActionStatus), index=True)
    period_id: int | None = Field(default=None, index=True)
    gain_suggested: int | None = None
    rice_score: float | None = None
    ice_score: float | None = None
    # Copied from the owners when they are checked, so lists and flags need no call per row.
    surface_cadence: str | None = Field(default=None, max_length=32)
    surface_anchor: date | None = Field(default=None, description="The surface's period start")
    kpi_name: str | None = Field(default=None, max_length=200)
    kpi_grain: str | None = Field(default=None, max_length=16, description="day, week or month")
    done_on: date | None = None
    dropped_reason: str | None = Field(default=None, max_length=2000)
    verdict: Verdict | None = Field(default=None, sa_type=enum_type(Verdict))
    evaluation_note: str | None = Field(default=None, max_length=4000)
    observed_change: float | None = None
    expected_change: float | None = None
    evaluated_at: datetime | None = None
    evaluated_by: int | None = None
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ActionEvent(TasksModel, table=True):
    """One line of an action's history: who changed its status (or plan) when."""

    __tablename__ = "action_events"

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="actions.id", ondelete="CASCADE", index=True)
    workspace_id: int
    at: datetime = Field(default_factory=utcnow)
    by: int | None = None
    kind: str = Field(max_length=32, description="an ActionEventKind")
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=2000)


class ActionSettings(TasksModel, table=True):
    """A workspace's hours per effort size."""

    __tablename__ = "action_settings"

    workspace_id: int = Field(sa_column_kwargs={"autoincrement": False}, primary_key=True)
    hours_s: float = DEFAULT_SIZE_HOURS["S"]
    hours_m: float = DEFAULT_SIZE_HOURS["M"]
    hours_l: float = DEFAULT_SIZE_HOURS["L"]
    hours_xl: float = DEFAULT_SIZE_HOURS["XL"]
    updated_at: datetime = Field(default_factory=utcnow)


# --- inputs ----------------------------------------------------------------------------------------------


class ActionCreate(ActionFields):
    model_config = STRICT

    title: Name = Field(min_length=1, max_length=200)
    status: Literal["idea", "planned"] = Field(default="idea", description="New actions are ideas or planned")


class ActionUpdate(ActionFields):
    """Changes to an action: only the fields sent change; title, change_kind and expected_unit may be left out,
    not set to null."""

    model_config = STRICT

    title: Name = Field(default=None, min_length=1, max_length=200)
    change_kind: ChangeKind = None
    expected_unit: SizeUnit = None
    feedback_item_ids: list[Id] = Field(default=None, max_length=100)

    _required_stay_set = field_validator("title", "change_kind", "expected_unit", "feedback_item_ids", mode="before")(
        not_null
    )


class StatusChange(BaseModel):
    model_config = {"extra": "forbid"}

    status: ActionStatus = PField(description="idea, planned, in_progress, done or dropped (evaluate via /evaluation)")
    reason: str | None = PField(default=None, max_length=2000, description="Why it is dropped (required then)")
    done_on: OptionalDay = PField(default=None, description="When it was done (default: today); not in the future")


class PlanIn(BaseModel):
    model_config = {"extra": "forbid"}

    period_id: Id | None = PField(description="The period to plan it into; null takes it out of its period")


class EvaluationIn(BaseModel):
    model_config = {"extra": "forbid"}

    verdict: Verdict
    note: str | None = PField(default=None, max_length=4000)


class ActionSettingsIn(BaseModel):
    model_config = {"extra": "forbid"}

    hours_s: Hours
    hours_m: Hours
    hours_l: Hours
    hours_xl: Hours


# --- outputs ---------------------------------------------------------------------------------------------


class CadenceFlag(BaseModel):
    flagged: bool = PField(description="The next measurement of the surface will not show the effect yet")
    completes_on: date | None = PField(description="Planned (or actual) completion")
    window_ends_on: date | None = PField(description="Completion plus the evaluation window")
    next_measurement_on: date | None = PField(description="The surface's first measurement after completion")
    first_shows_on: date | None = PField(description="The first measurement that covers the whole window")


class ActionPublic(ActionFields):
    id: int
    title: str
    status: ActionStatus
    gain_suggested: int | None
    gain_used: int | None = PField(description="gain, else the suggested gain")
    quadrant: Quadrant | None = PField(description="Null until effort and gain are known")
    rice_score: float | None
    ice_score: float | None
    surface_cadence: str | None
    kpi_name: str | None
    kpi_grain: str | None
    done_on: date | None
    dropped_reason: str | None
    verdict: Verdict | None
    evaluation_note: str | None
    observed_change: float | None
    expected_change: float | None
    evaluated_at: datetime | None
    evaluated_by: int | None
    cadence: CadenceFlag | None = PField(default=None, description="The cadence check, when it can be made")
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class ActionList(Page[ActionPublic]):
    pass


class ActionEventPublic(BaseModel):
    """One line of an action's history."""

    at: datetime
    by: int | None
    kind: ActionEventKind
    from_status: str | None
    to_status: str | None
    note: str | None


class ActionDetail(ActionPublic):
    history: list[ActionEventPublic]


class ActionSettingsPublic(ActionSettingsIn):
    pass


class Confounder(BaseModel):
    """Another live action on the same KPI whose window overlaps this one's."""

    id: int
    title: str
    status: ActionStatus
    window: list[date] = PField(description="First and last day of its own window")


class ActionEffect(BaseModel):
    """The evidence for a done action, computed by the metrics service, and the actions that muddle it."""

    action_id: int
    verdict: str | None = PField(description="confirmed, inconclusive, contradicted, not_enough_data; null: not judged")
    reason: str
    seasonal: bool = False
    baseline_start: date | None = None
    baseline_end: date | None = None
    window_start: date | None = None
    window_end: date | None = None
    baseline: float | None = None
    observed: float | None = None
    change: float | None = None
    change_percent: float | None = None
    expected_change: float | None = None
    threshold: float | None = None
    noise_periods: int = 0
    window_periods: int = 0
    window_observed: int = 0
    confounders: list[Confounder] = PField(default_factory=list)


class ActionEffectList(BaseModel):
    data: list[ActionEffect]
    count: int


class TrackRecordRow(BaseModel):
    change_kind: ChangeKind
    evaluated: int
    confirmed: int
    share_confirmed: float | None
    mean_miss: float | None = PField(description="Mean of |observed − expected| ÷ |expected| change")
    suggested_confidence: int | None = PField(description="RICE confidence (50, 80, 100) this record suggests")


class TrackRecord(BaseModel):
    data: list[TrackRecordRow]


class Matrix(BaseModel):
    low_effort_hours: float = PField(description="Effort up to this many hours is low (the workspace's M size)")
    high_gain: int = PField(description="Gain from this up is high")
    data: list[ActionPublic] = PField(description="Open and done actions, quick wins first")
    count: int
