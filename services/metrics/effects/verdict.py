"""The suggested verdict on an action's effect, from the sums of one probe, with the reason in words.

The normal variation is the spread of the period-to-period changes over the last 12 periods before the action.
For means of n periods before and n after, a change within twice its standard error (2 × spread ÷ √n) could be
noise: inconclusive. Beyond it, the expected way is confirmed, the other way contradicted. With fewer than the
window's periods on either side, or under four periods of history, Effekt says "not enough data" and no verdict."""

from __future__ import annotations

import math
from datetime import date

from services.metrics.effects.models import Bounds, EffectPublic, EffectVerdict, Probe, Sums

MIN_NOISE = 3  # period-to-period changes: four periods of history


def _fmt(value: float) -> str:
    return f"{value:+.4g}"


def judge(probe: Probe, bounds: Bounds, sums: Sums, *, today: date) -> EffectPublic:
    """Baseline, observed value, change, expected change and the verdict for one probe."""
    n = probe.periods
    seasonal = sums.season_n == n and sums.noise_n >= MIN_NOISE and _has_year(bounds)
    base_n, base_sum = (sums.season_n, sums.season_sum) if seasonal else (sums.base_n, sums.base_sum)
    out = EffectPublic(
        ref=probe.ref,
        kpi_id=probe.kpi_id,
        grain=bounds.grain,
        seasonal=seasonal,
        baseline_start=bounds.season_start if seasonal else bounds.base_start,
        baseline_end=bounds.season_end if seasonal else bounds.base_end,
        window_start=bounds.window_start,
        window_end=bounds.window_end,
        noise_periods=sums.noise_n + 1 if sums.noise_n else 0,
        window_periods=n,
        window_observed=sums.win_n,
        verdict=EffectVerdict.not_enough_data,
        reason="",
    )
    if base_n:
        out.baseline = base_sum / base_n
        out.expected_change = expected(probe, out.baseline)
    if sums.win_n:
        out.observed = sums.win_sum / sums.win_n
    missing = _missing(n, base_n, sums, bounds, today)
    if missing:
        out.reason = missing
        return out
    out.change = out.observed - out.baseline
    out.change_percent = out.change / abs(out.baseline) * 100 if out.baseline else None
    spread = _spread(sums)
    out.threshold = 2 * spread / math.sqrt(n)
    out.verdict, out.reason = _verdict(probe, out.change, out.threshold, out.noise_periods, out.expected_change)
    return out


def _has_year(bounds: Bounds) -> bool:
    return bounds.season_end < bounds.done_start


def _missing(n: int, base_n: int, sums: Sums, bounds: Bounds, today: date) -> str | None:
    if sums.win_n < n:
        running = f"; the window runs until {bounds.window_end.isoformat()}" if bounds.window_end >= today else ""
        return f"Not enough data: {sums.win_n} of the {n} periods after completion have values{running}."
    if base_n < n:
        return f"Not enough data: {base_n} of the {n} periods before the action have values."
    if sums.noise_n < MIN_NOISE:
        return "Not enough data: fewer than 4 periods of history before the action, so normal variation is unknown."
    return None


def _spread(sums: Sums) -> float:
    mean = sums.noise_sum / sums.noise_n
    return math.sqrt(max(0.0, sums.noise_sq / sums.noise_n - mean * mean))


def expected(probe: Probe, baseline: float | None) -> float | None:
    """The action's expected change of the KPI's per-period value, signed."""
    if probe.size is None:
        return None
    sign = 1 if probe.direction == "up" else -1
    if probe.unit == "absolute":
        return sign * probe.size
    return None if baseline is None else sign * abs(baseline) * probe.size / 100


def _verdict(
    probe: Probe, change: float, threshold: float, periods: int, expected_change: float | None
) -> tuple[EffectVerdict, str]:
    if abs(change) <= threshold:
        return EffectVerdict.inconclusive, (
            f"The change ({_fmt(change)}) is inside the normal period-to-period variation of the last "
            f"{periods} periods (±{threshold:.4g})."
        )
    wanted = change > 0 if probe.direction == "up" else change < 0
    if not wanted:
        return EffectVerdict.contradicted, (
            f"The KPI moved {_fmt(change)}, the opposite way, beyond the normal variation (±{threshold:.4g})."
        )
    reason = f"The KPI moved {_fmt(change)} the expected way, beyond the normal variation (±{threshold:.4g})"
    if expected_change:
        reason += f"; {change / expected_change:.0%} of the expected {_fmt(expected_change)}"
    return EffectVerdict.confirmed, reason + "."
