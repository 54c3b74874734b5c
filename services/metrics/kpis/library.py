"""The library of common KPIs: presets a workspace starts from, and a KPI made from one.

Keys are stable snake_case: the UI translates a preset's name and description by its key.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import Field, Session

from kit.errors import NotFound
from kit.fields import STRICT, Id, OptionalName
from services.metrics.kpis import service
from services.metrics.kpis.models import (
    Aggregation,
    Category,
    CurrencyCode,
    Direction,
    Frequency,
    Kpi,
    KpiCreate,
    ThresholdMode,
    Unit,
)


class KpiPreset(BaseModel):
    key: str
    name: str
    description: str
    unit: Unit
    currency_code: str | None
    direction: Direction
    aggregation: Aggregation
    category: Category
    expected_frequency: Frequency | None
    threshold_mode: ThresholdMode
    amber_threshold: float | None
    red_threshold: float | None


class KpiFromPreset(BaseModel):
    """What may differ from the preset; everything else is the preset's."""

    model_config = STRICT

    name: OptionalName = Field(default=None, min_length=1, max_length=200, description="Default: the preset's name")
    surface_id: Id | None = None
    owner_id: Id | None = None
    currency_code: CurrencyCode = Field(
        default=None, max_length=3, description="For currency presets; default: the preset's (EUR)"
    )


H, L, B = Direction.higher_is_better, Direction.lower_is_better, Direction.target_band
NUMBER, PERCENT, CURRENCY, DURATION = Unit.number, Unit.percent, Unit.currency, Unit.duration
SUM, MEAN, LAST = Aggregation.sum, Aggregation.mean, Aggregation.last
INPUT, ACTIVITY, RESULT = Category.input, Category.activity, Category.result
DAY, WEEK, MONTH = Frequency.day, Frequency.week, Frequency.month

# key, name, description, unit, direction, aggregation, category, frequency, amber, red (relative thresholds)
_PRESETS = [
    ("visits", "Visits", "Sessions on the website or app in the period.", NUMBER, H, SUM, RESULT, DAY, 0.9, 0.7),
    (
        "conversion_rate",
        "Conversion rate",
        "Share of sessions that end in an order or a lead, in percent.",
        PERCENT,
        H,
        MEAN,
        RESULT,
        DAY,
        0.9,
        0.75,
    ),
    (
        "bounce_rate",
        "Bounce rate",
        "Share of sessions that leave after one page, in percent; lower is better.",
        PERCENT,
        L,
        MEAN,
        RESULT,
        DAY,
        0.9,
        0.7,
    ),
    (
        "revenue",
        "Revenue",
        "Revenue from the digital channels, excluding VAT.",
        CURRENCY,
        H,
        SUM,
        RESULT,
        MONTH,
        0.9,
        0.7,
    ),
    ("cost", "Cost", "Money spent: media, agencies, tools; lower is better.", CURRENCY, L, SUM, INPUT, MONTH, 0.9, 0.7),
    (
        "hours_spent",
        "Hours spent",
        "Hours the team logs on the work, kept within the planned band.",
        DURATION,
        B,
        SUM,
        INPUT,
        WEEK,
        0.9,
        0.6,
    ),
    (
        "articles_published",
        "Articles published",
        "Articles, guides and posts published.",
        NUMBER,
        H,
        SUM,
        ACTIVITY,
        WEEK,
        0.8,
        0.5,
    ),
    (
        "campaigns_run",
        "Campaigns run",
        "Newsletter, social and paid campaigns launched.",
        NUMBER,
        H,
        SUM,
        ACTIVITY,
        MONTH,
        0.8,
        0.5,
    ),
    (
        "nps",
        "Net Promoter Score",
        "From the customer survey, -100 to 100; the latest score of the period counts.",
        NUMBER,
        H,
        LAST,
        RESULT,
        MONTH,
        0.9,
        0.7,
    ),
    (
        "csat",
        "Customer satisfaction (CSAT)",
        "Share of satisfied answers in the survey, in percent.",
        PERCENT,
        H,
        MEAN,
        RESULT,
        MONTH,
        0.95,
        0.8,
    ),
    (
        "complaints",
        "Complaints",
        "Complaints received across all channels; lower is better.",
        NUMBER,
        L,
        SUM,
        RESULT,
        WEEK,
        0.9,
        0.6,
    ),
    (
        "time_to_answer",
        "Time to answer",
        "Hours from a question or complaint arriving to the first answer; lower is better.",
        DURATION,
        L,
        MEAN,
        RESULT,
        WEEK,
        0.9,
        0.6,
    ),
]

PRESETS = {
    key: KpiPreset(
        key=key,
        name=name,
        description=description,
        unit=unit,
        currency_code="EUR" if unit == CURRENCY else None,
        direction=direction,
        aggregation=aggregation,
        category=category,
        expected_frequency=frequency,
        threshold_mode=ThresholdMode.relative,
        amber_threshold=amber,
        red_threshold=red,
    )
    for key, name, description, unit, direction, aggregation, category, frequency, amber, red in _PRESETS
}


def presets() -> list[KpiPreset]:
    """Every preset, in library order."""
    return list(PRESETS.values())


def create_from_preset(*, session: Session, workspace_id: int, key: str, data: KpiFromPreset) -> Kpi:
    """A new KPI with the preset's settings and the caller's name, surface, owner and currency."""
    preset = PRESETS.get(key)
    if preset is None:
        raise NotFound(f"No KPI preset {key!r}; GET /api/v1/kpis/library lists them.")
    fields = preset.model_dump(exclude={"key"})
    overrides = data.model_dump(exclude_none=True)
    if preset.unit != CURRENCY:
        overrides.pop("currency_code", None)  # nothing to override; a code would only make the KPI invalid
    return service.create_kpi(
        session=session, workspace_id=workspace_id, data=KpiCreate.model_validate({**fields, **overrides})
    )
