"""Measurement cycles: a surface's frozen snapshot for one cadence period, its review and its findings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel
from pydantic import Field as PField
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import STRICT, Id, OptionalDay, no_nul, utcnow
from kit.query import Page
from services.metrics.db import MetricsModel
from services.metrics.kpis.models import Category, Direction, Status, Unit


class CycleStatus(StrEnum):
    open = "open"
    closed = "closed"


class CycleCadence(StrEnum):
    """The surface's cadence, as the goals service names it (copied when the cycle opens)."""

    monthly = "monthly"
    quarterly = "quarterly"
    half_yearly = "half_yearly"
    yearly = "yearly"


class ChangeKind(StrEnum):
    """What a finding suggests changing: the four kinds of action the action list knows."""

    technology = "technology"
    content = "content"
    channel = "channel"
    way_of_working = "way_of_working"


class PeriodChoice(StrEnum):
    current = "current"
    latest_ended = "latest_ended"


def _strip(value: str | None) -> str | None:
    """Trimmed text; empty text is no text (null)."""
    if value is None:
        return None
    value = no_nul(value.strip())
    return value or None


ReviewText = Annotated[str | None, AfterValidator(_strip)]


def _required_text(value: str) -> str:
    value = no_nul(value.strip())
    if not value:
        raise ValueError("must not be blank")
    return value


FindingText = Annotated[str, AfterValidator(_required_text)]


# --- cycles ------------------------------------------------------------------------------------------


class Cycle(MetricsModel, table=True):
    __tablename__ = "cycles"
    # Exactly one cycle per surface and period, however many workers race to open it (insert ... on conflict).
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "surface_id", "period_start", name="uq_cycles_surface_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    surface_id: int = Field(description="Id of a surface in the goals service")
    surface_name: str = Field(max_length=200, description="The surface's name when the cycle opened")
    cadence: CycleCadence = Field(sa_type=enum_type(CycleCadence))
    period_start: date
    period_end: date = Field(description="Last day of the period (inclusive)")
    status: CycleStatus = Field(default=CycleStatus.open, sa_type=enum_type(CycleStatus), index=True)
    opened_by: int | None = Field(default=None, description="User who opened it; null when opened on schedule")
    opened_at: datetime = Field(default_factory=utcnow)
    snapshot_at: datetime = Field(default_factory=utcnow, description="When the figures were frozen")
    closed_at: datetime | None = None
    closed_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CycleItem(MetricsModel, table=True):
    __tablename__ = "cycle_items"
    __table_args__ = (sa.UniqueConstraint("cycle_id", "kpi_id", name="uq_cycle_items_kpi"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycles.id", ondelete="CASCADE", index=True)
    workspace_id: int
    kpi_id: int = Field(description="No foreign key: the snapshot outlives changes to the KPI", index=True)
    name: str = Field(max_length=200)
    category: str = Field(max_length=32)
    unit: str = Field(max_length=32)
    currency_code: str | None = Field(default=None, max_length=3)
    direction: str = Field(max_length=32)
    value: float | None = None
    target: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    attainment: float | None = None
    status: str = Field(default="not_measured", max_length=32)
    previous_value: float | None = None
    change: float | None = None
    note: str | None = Field(default=None, max_length=4000)
    root_cause: str | None = Field(default=None, max_length=4000)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = None


class CycleFinding(MetricsModel, table=True):
    __tablename__ = "cycle_findings"

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycles.id", ondelete="CASCADE", index=True)
    workspace_id: int = Field(index=True)
    kpi_id: int | None = None
    text: str = Field(max_length=4000)
    change_kind: ChangeKind = Field(sa_type=enum_type(ChangeKind))
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# --- inputs --------------------------------------------------------------------------------------------


class CycleOpen(BaseModel):
    """Open a review cycle of a surface for one period: its KPIs' figures are frozen."""

    model_config = STRICT

    surface_id: Id
    period_start: OptionalDay = PField(
        default=None, description="First day of a period of the surface's cadence; default: chosen by `period`"
    )
    period: PeriodChoice = PField(
        default=PeriodChoice.current, description="current (ends at the next measurement) or latest_ended"
    )


class ItemReview(BaseModel):
    """The review of one KPI in a cycle; only the fields sent change."""

    model_config = STRICT

    note: ReviewText = PField(default=None, max_length=4000, description="Analysis: what the figure means")
    root_cause: ReviewText = PField(
        default=None, max_length=4000, description="Why it is off track; required on every off-track KPI to close"
    )


class FindingCreate(BaseModel):
    """A finding of a review: what was seen, and which kind of change it calls for."""

    model_config = STRICT

    text: FindingText = PField(max_length=4000, description="What was seen")
    kpi_id: Id | None = PField(default=None, description="A KPI of this cycle, or none")
    change_kind: ChangeKind = PField(description="technology, content, channel or way_of_working")


class FindingUpdate(BaseModel):
    """Changes to a finding: only the fields sent change; `kpi_id` may be null (no KPI)."""

    model_config = STRICT

    text: FindingText = PField(default=None, max_length=4000)
    kpi_id: Id | None = None
    change_kind: ChangeKind = PField(default=None)


# --- outputs -------------------------------------------------------------------------------------------


class CyclePublic(BaseModel):
    id: int
    surface_id: int
    surface_name: str
    cadence: CycleCadence
    period_start: date
    period_end: date
    status: CycleStatus
    opened_by: int | None
    opened_at: datetime
    snapshot_at: datetime
    closed_at: datetime | None
    closed_by: int | None
    items_count: int = 0
    off_track_count: int = 0
    missing_root_causes: int = PField(default=0, description="Off-track items without a root cause")
    findings_count: int = 0


class CycleItemPublic(BaseModel):
    kpi_id: int
    name: str
    category: Category
    unit: Unit
    currency_code: str | None
    direction: Direction
    value: float | None
    target: float | None
    band_low: float | None
    band_high: float | None
    attainment: float | None
    status: Status
    status_label: str
    previous_value: float | None
    change: float | None
    note: str | None
    root_cause: str | None
    root_cause_required: bool = PField(description="Off track: the cycle closes only with a root cause")
    updated_at: datetime
    updated_by: int | None


class FindingPublic(BaseModel):
    id: int
    cycle_id: int
    surface_id: int
    surface_name: str
    period_start: date
    period_end: date
    cycle_status: CycleStatus
    kpi_id: int | None
    kpi_name: str | None
    text: str
    change_kind: ChangeKind
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class CycleDetail(CyclePublic):
    items: list[CycleItemPublic]
    findings: list[FindingPublic]


class CycleList(Page[CyclePublic]):
    pass


class FindingList(Page[FindingPublic]):
    pass


class CompareCell(BaseModel):
    cycle_id: int
    value: float | None
    target: float | None
    attainment: float | None
    status: Status
    status_label: str
    change: float | None


class CompareRow(BaseModel):
    kpi_id: int
    name: str
    category: Category
    unit: Unit
    currency_code: str | None
    cells: list[CompareCell | None] = PField(
        description="One per cycle, in the order of `cycles`; null where the KPI was not in that cycle"
    )


class Comparison(BaseModel):
    cycles: list[CyclePublic]
    rows: list[CompareRow]
