"""KPIs: the measured quantities a workspace tracks, which way is better for each, and their targets."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, BeforeValidator
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import (
    STRICT,
    Day,
    FiniteFloat,
    Id,
    Name,
    OptionalDay,
    OptionalFiniteFloat,
    OptionalText,
    no_nul,
    utcnow,
)
from kit.query import Page
from services.metrics.db import MetricsModel

CURRENCY_CODE = re.compile(r"[A-Z]{3}")


class Status(StrEnum):
    """How a KPI (or goal) stands against its target in a period."""

    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"
    not_measured = "not_measured"


class Unit(StrEnum):
    """What a KPI's values count."""

    number = "number"
    percent = "percent"
    currency = "currency"
    duration = "duration"


class Direction(StrEnum):
    """Which way is better: up, down, or inside a band."""

    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"
    target_band = "target_band"


class Aggregation(StrEnum):
    """How a KPI's observations combine over a period."""

    sum = "sum"
    mean = "mean"
    last = "last"
    min = "min"
    max = "max"


class Category(StrEnum):
    """input (what is spent), activity (what is done), result (what it achieves)."""

    input = "input"
    activity = "activity"
    result = "result"


def _clean_currency(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # None, or a wrong type the str check then names
    value = value.strip().upper()
    if not value:
        return None
    if not CURRENCY_CODE.fullmatch(value):
        raise ValueError("must be a three-letter ISO 4217 code such as NOK")
    return value


# Before the str checks, so " nok " is trimmed before max_length counts it.
CurrencyCode = Annotated[str | None, BeforeValidator(_clean_currency)]


class ThresholdMode(StrEnum):
    """relative: thresholds are shares of attainment; absolute: values of the KPI itself."""

    relative = "relative"
    absolute = "absolute"


class Frequency(StrEnum):
    """How often a KPI is expected to get a value."""

    day = "day"
    week = "week"
    month = "month"
    quarter = "quarter"


# enum_type stores member names, and "import" cannot be a class attribute: hence the functional form.
Source = StrEnum(
    "Source", [(name, name) for name in ("manual", "import", "api", "connector", "feedback", "activity", "derived")]
)
Source.__doc__ = (
    "Where a value came from: typed in, imported from a file, pushed over the API, pulled by a connector, counted "
    "from feedback items, fed by Effekt's own work (activity), or derived."
)


def _clean_formula(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return value if value.strip() else None  # an empty form field means no formula; unstripped, positions hold


# Input syntax: [Name] or [#id] references, numbers, + - * / and parentheses (see formula.py).
FormulaText = Annotated[str | None, BeforeValidator(_clean_formula), AfterValidator(no_nul)]
FORMULA_HELP = (
    "Derived KPIs: a formula over other KPIs of the workspace, by name in brackets or by id, "
    "e.g. [Cost] / [Conversions] or [#12] / [#15] * 100; + - * / and parentheses"
)

THRESHOLD_HELP = (
    "relative: amber/red are shares of attainment (0..1, red <= amber); "
    "absolute: amber/red are values of the KPI itself"
)


class KpiBase(MetricsModel):
    name: Name = Field(min_length=1, max_length=200)
    description: OptionalText = Field(default=None, max_length=2000)
    unit: Unit = Field(default=Unit.number, sa_type=enum_type(Unit))
    currency_code: CurrencyCode = Field(
        default=None, max_length=3, description="ISO 4217 code; required when unit is currency, else empty"
    )
    direction: Direction = Field(default=Direction.higher_is_better, sa_type=enum_type(Direction))
    aggregation: Aggregation = Field(
        default=Aggregation.sum, sa_type=enum_type(Aggregation), description="How observations combine over a period"
    )
    category: Category = Field(
        sa_type=enum_type(Category),
        description="input (what is spent), activity (what is done), result (what it achieves)",
    )
    surface_id: Id | None = Field(default=None, description="Id of a surface in the goals service")
    owner_id: Id | None = Field(default=None, description="User id of a workspace member")
    baseline_value: OptionalFiniteFloat = None
    baseline_date: OptionalDay = None
    threshold_mode: ThresholdMode = Field(
        default=ThresholdMode.relative, sa_type=enum_type(ThresholdMode), description=THRESHOLD_HELP
    )
    amber_threshold: OptionalFiniteFloat = Field(default=None, description="Below this: at risk (empty: 0.9 relative)")
    red_threshold: OptionalFiniteFloat = Field(default=None, description="Below this: off track (empty: 0.6 relative)")
    expected_frequency: Frequency | None = Field(
        default=None,
        sa_type=enum_type(Frequency),
        description="How often a value is expected; later ones make it stale",
    )
    source: Source = Field(
        default=Source("api"),
        sa_type=enum_type(Source),
        description=(
            "Where its values come from: manual, import, api, connector, feedback (items), activity (tasks) or "
            "derived (formula)"
        ),
    )
    formula: FormulaText = Field(default=None, max_length=2000, sa_type=sa.Text, description=FORMULA_HELP)


class Kpi(KpiBase, table=True):
    __tablename__ = "kpis"
    # The service checks names case-insensitively and answers 409; this index stops a race from slipping through.
    __table_args__ = (
        sa.Index(
            "uq_kpis_workspace_active_name",
            "workspace_id",
            "name",
            unique=True,
            sqlite_where=sa.text("NOT archived"),
            postgresql_where=sa.text("NOT archived"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class KpiCreate(KpiBase):
    """A new KPI. `surface_id` must be a surface and `owner_id` a member of the workspace."""

    model_config = STRICT


class KpiUpdate(MetricsModel):
    """Changes to a KPI: only the fields sent change. Fields typed nullable may be set to null (none); the
    others may be left out but not set to null."""

    model_config = STRICT

    name: Name = Field(default=None, min_length=1, max_length=200)
    description: OptionalText = Field(default=None, max_length=2000)
    unit: Unit = Field(default=None)
    currency_code: CurrencyCode = Field(default=None, max_length=3)
    direction: Direction = Field(default=None)
    aggregation: Aggregation = Field(default=None)
    category: Category = Field(default=None)
    surface_id: Id | None = Field(default=None, description="Id of a surface in the goals service")
    owner_id: Id | None = Field(default=None, description="User id of a workspace member")
    baseline_value: OptionalFiniteFloat = None
    baseline_date: OptionalDay = None
    threshold_mode: ThresholdMode = Field(default=None)
    amber_threshold: OptionalFiniteFloat = None
    red_threshold: OptionalFiniteFloat = None
    expected_frequency: Frequency | None = None
    source: Source = Field(default=None)
    formula: FormulaText = Field(default=None, max_length=2000, description=FORMULA_HELP + "; null removes it")


class KpiPublic(KpiBase):
    id: int
    archived: bool
    created_at: datetime
    updated_at: datetime
    # The current period (by expected_frequency, else the month) as the goals service reads it.
    actual: float | None = Field(default=None, description="Observations of the current period, aggregated")
    target: float | None = Field(default=None, description="Target of the current period")
    band_low: float | None = None
    band_high: float | None = None
    projected: float | None = Field(
        default=None,
        description="A summed KPI's pace while its period runs: the value "
        "so far scaled to the whole period; attainment and status use it",
    )
    attainment: float | None = Field(default=None, description="0..1; null when not measured")
    status: Status = Field(default=Status.not_measured)
    formula_display: str | None = Field(default=None, description="The formula with the current names")
    inputs: list[int] = Field(default_factory=list, description="Ids of the KPIs the formula uses")
    derived: bool = Field(default=False, description="True when the values come from a formula")
    last_observed: date | None = Field(
        default=None, description="period_start of the latest observation (of a derived KPI: of its stalest input)"
    )
    stale: bool = Field(default=False, description="The latest observation is older than the expected frequency")


class KpiList(Page[KpiPublic]):
    """A page of KPIs with their current figures."""


# --- targets ---------------------------------------------------------------------------------------


class KpiTargetBase(MetricsModel):
    period_start: Day
    period_end: Day = Field(description="Last day the target covers; equal to period_start for a target by a date")
    target: FiniteFloat
    band_low: OptionalFiniteFloat = Field(default=None, description="For target_band KPIs")
    band_high: OptionalFiniteFloat = Field(default=None, description="For target_band KPIs")


class KpiTarget(KpiTargetBase, table=True):
    __tablename__ = "kpi_targets"

    id: int | None = Field(default=None, primary_key=True)
    kpi_id: int = Field(foreign_key="kpis.id", ondelete="CASCADE", index=True)
    workspace_id: int = Field(index=True)


class KpiTargetIn(KpiTargetBase):
    """One target of a KPI: it applies to the windows its period overlaps, and to no other (no carrying)."""

    model_config = STRICT


class KpiTargetPublic(KpiTargetBase):
    """One target of a KPI, for the windows its period overlaps only."""
