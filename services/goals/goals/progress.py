"""Progress and status of goals, computed from KPI figures and never typed in. Pure functions, no I/O.

RULES (also served in the OpenAPI description of the goal endpoints):

**KPI attainment** (0..1): the one the metrics service gives for the KPI (it owns the rules of measurement,
e.g. a summed KPI judged on pace while its period runs); when it gives none, from its figures:
- *higher_is_better*: (actual − baseline) / (target − baseline), clamped to 0..1.
- *lower_is_better*: (baseline − actual) / (baseline − target), clamped to 0..1.
- *target_band*: 1 when band_low ≤ actual ≤ band_high (a missing bound is open), else 0.
- With no baseline, or a target that does not lie beyond the baseline in the better direction,
  there is no distance to measure: attainment is 1 when the target is met and 0 when not.
- A KPI with no actual value, or no target (no band for target_band), is **not measured**.

**KPI status**: the threshold state metrics gives (`status`: on_track, at_risk, off_track) when it
gives one; else from attainment: ≥ 0.9 (amber threshold) on_track, ≥ 0.6 (red threshold) at_risk,
below off_track. A KPI that is not measured has status `not_measured`, whatever metrics says.

**Goal progress**: the weighted mean of the attainment of its measured KPIs (weights of the KPI
links) and the progress of its measured children (weights of the children), over measured items
with weight > 0 only. Nothing measured in the subtree, or only weight-0 items: progress is null and
status `not_measured` (never a made-up number). An active goal counts its active children only; an
archived goal counts all its children, as they were when it was archived.

**Goal status**: the worst status among the same items (off_track < at_risk < on_track).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

AMBER = 0.9  # attainment at or above: on track
RED = 0.6  # attainment at or above (and below AMBER): at risk; below: off track


class Status(StrEnum):
    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"
    not_measured = "not_measured"


RANK = {Status.off_track: 0, Status.at_risk: 1, Status.on_track: 2}
MEASURED = frozenset(RANK)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class KpiFigures:
    """What the goals service needs to know of one KPI's measurement."""

    direction: str = "higher_is_better"
    baseline: float | None = None
    target: float | None = None
    actual: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    status: str | None = None
    attainment: float | None = None  # metrics' own, when it gives one

    @classmethod
    def from_api(cls, body: Mapping[str, Any]) -> KpiFigures:
        """Read a KPI as metrics serves it; anything missing or not a finite number counts as absent."""
        status = body.get("status")
        return cls(
            direction=str(body.get("direction") or "higher_is_better"),
            baseline=_number(body.get("baseline_value")),
            target=_number(body.get("target")),
            actual=_number(body.get("actual")),
            band_low=_number(body.get("band_low")),
            band_high=_number(body.get("band_high")),
            status=status if status in MEASURED else None,
            attainment=_share(body.get("attainment")),
        )


def _share(value: Any) -> float | None:
    number = _number(value)
    return number if number is not None and 0 <= number <= 1 else None


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def _toward(actual: float, target: float, baseline: float | None, sign: int) -> float:
    """Share of the way from baseline to target; sign +1 when higher is better, −1 when lower is."""
    met = (actual - target) * sign >= 0
    if baseline is None or (target - baseline) * sign <= 0:
        return 1.0 if met else 0.0
    return _clamp((actual - baseline) / (target - baseline))


def attainment(figures: KpiFigures) -> float | None:
    """0..1, or None when the KPI is not measured."""
    actual = figures.actual
    if actual is None:
        return None
    if figures.attainment is not None:
        return figures.attainment
    if figures.direction == "target_band":
        low, high = figures.band_low, figures.band_high
        if low is None and high is None:
            return None
        inside = (low is None or actual >= low) and (high is None or actual <= high)
        return 1.0 if inside else 0.0
    if figures.target is None:
        return None
    sign = -1 if figures.direction == "lower_is_better" else 1
    return _toward(actual, figures.target, figures.baseline, sign)


def status_of(value: float | None, *, amber: float = AMBER, red: float = RED) -> Status:
    """The status an attainment earns by the thresholds."""
    if value is None:
        return Status.not_measured
    if value >= amber:
        return Status.on_track
    return Status.at_risk if value >= red else Status.off_track


@dataclass(frozen=True, slots=True)
class Measure:
    """A progress (None: not measured) and a status."""

    progress: float | None
    status: Status

    @property
    def measured(self) -> bool:
        return self.progress is not None and self.status in MEASURED


NOT_MEASURED = Measure(None, Status.not_measured)


def measure_kpi(figures: KpiFigures | None) -> Measure:
    """A KPI's attainment and status; metrics' own threshold state wins when it gives one."""
    if figures is None:
        return NOT_MEASURED
    value = attainment(figures)
    if value is None:
        return NOT_MEASURED
    return Measure(value, Status(figures.status) if figures.status else status_of(value))


def roll_up(items: Iterable[tuple[float, Measure]]) -> Measure:
    """A goal from (weight, measure) of its KPI links and children: weighted mean and worst status."""
    total = weighted = 0.0
    worst: Status | None = None
    for weight, item in items:
        if weight <= 0 or not item.measured:
            continue
        total += weight
        weighted += weight * item.progress
        if worst is None or RANK[item.status] < RANK[worst]:
            worst = item.status
    if worst is None or total <= 0:
        return NOT_MEASURED
    return Measure(_clamp(weighted / total), worst)


RULES = __doc__.split("\n\n", 1)[1]  # the rules above, for the OpenAPI descriptions
