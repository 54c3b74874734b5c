"""The scorecard's answer: a period's KPIs in three columns (no tables: it is computed from the KPIs')."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from services.metrics.kpis.models import Category, Direction, Source, Status, Unit


class ScorecardPeriod(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


class PeriodInfo(BaseModel):
    kind: ScorecardPeriod
    start: date
    end: date
    label: str


class ScorecardItem(BaseModel):
    kpi_id: int
    name: str
    unit: Unit
    currency_code: str | None
    direction: Direction
    value: float | None
    previous_value: float | None
    change: float | None
    target: float | None
    band_low: float | None
    band_high: float | None
    projected: float | None = Field(
        description="On pace while the period runs (summed KPIs): the value so far "
        "scaled to the whole period; attainment and status use it"
    )
    attainment: float | None
    status: Status
    status_label: str
    sparkline: list[float | None]
    stale: bool
    connector_failing: bool = Field(
        default=False, description="A connector feeding this KPI failed its last two scheduled runs"
    )
    category: Category
    source: Source = Field(
        description="Where the KPI's values come from; feedback and activity KPIs fill themselves every period"
    )
    derived: bool = Field(description="True when the value comes from a formula over other KPIs")
    formula_display: str | None = Field(description="The formula with the current names of its inputs")
    inputs: list[int] = Field(description="Ids of the KPIs the formula uses")


class ScorecardColumns(BaseModel):
    input: list[ScorecardItem]
    activity: list[ScorecardItem]
    result: list[ScorecardItem]


class Scorecard(BaseModel):
    period: PeriodInfo
    columns: ScorecardColumns
