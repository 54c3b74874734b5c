"""Thresholds and status: how a period's value measures against its target (attainment, pace, status)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kit.errors import Invalid
from services.metrics.kpis.models import Direction, Kpi, ThresholdMode

AMBER, RED = 0.9, 0.6  # relative defaults: attainment at or above AMBER is on track, at or above RED at risk
STATUS_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track", "not_measured": "Not measured"}


def check_thresholds(*, mode: str, amber: float | None, red: float | None, direction: str) -> None:
    """Relative thresholds are shares 0..1 with red <= amber; absolute ones are ordered by the direction."""
    if mode == ThresholdMode.relative:
        for name, value in (("amber_threshold", amber), ("red_threshold", red)):
            if value is not None and not 0 <= value <= 1:
                raise Invalid.field(name, "a relative threshold is a share of attainment between 0 and 1")
        if (red if red is not None else RED) > (amber if amber is not None else AMBER):
            raise Invalid.field("red_threshold", "must not be above the amber threshold")
        return
    if amber is None or red is None:
        raise Invalid.field(
            "amber_threshold" if amber is None else "red_threshold",
            "absolute thresholds need both amber and red values",
        )
    if direction == Direction.higher_is_better and red > amber:
        raise Invalid.field("red_threshold", "must not be above the amber threshold when higher is better")
    if direction == Direction.lower_is_better and red < amber:
        raise Invalid.field("red_threshold", "must not be below the amber threshold when lower is better")


@dataclass(frozen=True, slots=True)
class Goal:
    """The target of a period: a value, and a band for target_band KPIs."""

    target: float | None = None
    band_low: float | None = None
    band_high: float | None = None


def attainment(kpi: Kpi, actual: float | None, goal: Goal) -> float | None:
    """0..1 by the rules the goals service documents; None when not measured."""
    if actual is None:
        return None
    if kpi.direction == Direction.target_band:
        low, high = goal.band_low, goal.band_high
        if low is None and high is None:
            return None
        return 1.0 if (low is None or actual >= low) and (high is None or actual <= high) else 0.0
    if goal.target is None:
        return None
    sign = -1 if kpi.direction == Direction.lower_is_better else 1
    target, baseline = goal.target, kpi.baseline_value
    if baseline is None or (target - baseline) * sign <= 0:
        return 1.0 if (actual - target) * sign >= 0 else 0.0
    return min(1.0, max(0.0, (actual - baseline) / (target - baseline)))


def paced(kpi: Kpi, actual: float | None, start: date, end: date, today: date) -> float | None:
    """What a summed KPI is heading for while its period still runs: the value so far scaled to the whole period.

    A month's running total judged against the whole month's target would look off track until its last day.
    Days before today count as elapsed (today's figures are rarely in yet). Levels (mean, last, min, max) and
    derived KPIs (a ratio of totals is already a rate) are judged as they are."""
    if actual is None or kpi.aggregation != "sum" or kpi.formula is not None or not start <= today <= end:
        return actual
    elapsed = max(1, (today - start).days)
    return actual * ((end - start).days + 1) / elapsed


@dataclass(frozen=True, slots=True)
class Judgement:
    """A period's value measured against its goal: what it is heading for, the attainment and the status."""

    projected: float | None
    attainment: float | None
    status: str


def judge(kpi: Kpi, actual: float | None, goal: Goal, window: tuple[date, date], today: date) -> Judgement:
    """Attainment and status of a period's value, on pace (see paced) while the period runs."""
    projected = paced(kpi, actual, window[0], window[1], today)
    share = attainment(kpi, projected, goal)
    return Judgement(projected, share, status_of(kpi, projected, share))


def status_of(kpi: Kpi, actual: float | None, share: float | None) -> str:
    """on_track, at_risk, off_track by the KPI's thresholds; not_measured without an attainment."""
    if share is None or actual is None:
        return "not_measured"
    absolute = kpi.threshold_mode == ThresholdMode.absolute and kpi.direction != Direction.target_band
    if absolute and kpi.amber_threshold is not None and kpi.red_threshold is not None:
        sign = -1 if kpi.direction == Direction.lower_is_better else 1
        if (actual - kpi.amber_threshold) * sign >= 0:
            return "on_track"
        return "at_risk" if (actual - kpi.red_threshold) * sign >= 0 else "off_track"
    amber = AMBER if kpi.amber_threshold is None or absolute else kpi.amber_threshold
    red = RED if kpi.red_threshold is None or absolute else kpi.red_threshold
    if share >= amber:
        return "on_track"
    return "at_risk" if share >= red else "off_track"
