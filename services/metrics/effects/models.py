"""Effect evidence: what a KPI did in the periods after an action was done, against the periods before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field


class EffectVerdict(StrEnum):
    confirmed = "confirmed"
    inconclusive = "inconclusive"
    contradicted = "contradicted"
    not_enough_data = "not_enough_data"


@dataclass(frozen=True, slots=True)
class Probe:
    """One question: did KPI `kpi_id` move `direction` in the `periods` periods after `done_on`?"""

    ref: str
    kpi_id: int
    done_on: date
    periods: int
    direction: str  # up or down
    size: float | None = None
    unit: str = "percent"  # or absolute


@dataclass(frozen=True, slots=True)
class Bounds:
    """The date ranges of one probe at its KPI's grain (every end inclusive)."""

    grain: str
    done_start: date
    window_start: date
    window_end: date
    base_start: date
    base_end: date
    season_start: date
    season_end: date
    noise_start: date


@dataclass(frozen=True, slots=True)
class Sums:
    """What the one aggregate query returns per probe."""

    base_n: int = 0
    base_sum: float = 0.0
    win_n: int = 0
    win_sum: float = 0.0
    season_n: int = 0
    season_sum: float = 0.0
    noise_n: int = 0
    noise_sum: float = 0.0
    noise_sq: float = 0.0


class EffectPublic(BaseModel):
    ref: str = Field(description="The caller's reference of the probe (the tasks service: the action id)")
    kpi_id: int
    grain: str | None = Field(description="day, week or month: the KPI's periods the effect is judged by")
    seasonal: bool = Field(
        default=False, description="The baseline is the same periods a year before (the KPI has a year of history)"
    )
    baseline_start: date | None = None
    baseline_end: date | None = None
    window_start: date | None = None
    window_end: date | None = None
    baseline: float | None = Field(default=None, description="Mean per period before the action")
    observed: float | None = Field(default=None, description="Mean per period in the evaluation window")
    change: float | None = Field(default=None, description="observed − baseline")
    change_percent: float | None = None
    expected_change: float | None = Field(default=None, description="The action's expected change, signed")
    threshold: float | None = Field(
        default=None, description="Twice the standard error that normal period-to-period variation gives"
    )
    noise_periods: int = Field(default=0, description="Periods of history the normal variation comes from")
    window_periods: int = 0
    window_observed: int = Field(default=0, description="Periods of the window that have a value")
    verdict: EffectVerdict
    reason: str = Field(description="Why, in words")


class EffectList(BaseModel):
    data: list[EffectPublic]
    count: int
