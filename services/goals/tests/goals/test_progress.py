"""The progress and status rules of progress.py, one rule at a time."""

from __future__ import annotations

import math

import pytest

from services.goals.goals.progress import (
    AMBER,
    NOT_MEASURED,
    RED,
    RULES,
    KpiFigures,
    Measure,
    Status,
    attainment,
    measure_kpi,
    roll_up,
    status_of,
)

H, L, B = "higher_is_better", "lower_is_better", "target_band"
ON, RISK, OFF, NONE = Status.on_track, Status.at_risk, Status.off_track, Status.not_measured


def kpi(direction=H, baseline=None, target=None, actual=None, low=None, high=None, status=None) -> KpiFigures:
    return KpiFigures(
        direction=direction,
        baseline=baseline,
        target=target,
        actual=actual,
        band_low=low,
        band_high=high,
        status=status,
    )


# --- attainment -------------------------------------------------------------------------------------


@pytest.mark.parametrize("actual, expected", [(100, 0.0), (150, 0.5), (200, 1.0), (50, 0.0), (400, 1.0), (125, 0.25)])
def test_higher_is_better_is_the_share_of_the_way_from_baseline_to_target(actual, expected):
    assert attainment(kpi(H, baseline=100, target=200, actual=actual)) == pytest.approx(expected)


@pytest.mark.parametrize("actual, expected", [(40, 0.0), (30, 0.5), (20, 1.0), (10, 1.0), (60, 0.0), (35, 0.25)])
def test_lower_is_better_is_the_mirror(actual, expected):
    assert attainment(kpi(L, baseline=40, target=20, actual=actual)) == pytest.approx(expected)


@pytest.mark.parametrize("actual, expected", [(10, 1.0), (15, 1.0), (20, 1.0), (9.99, 0.0), (20.01, 0.0)])
def test_target_band_is_one_inside_and_zero_outside(actual, expected):
    assert attainment(kpi(B, actual=actual, low=10, high=20)) == expected


def test_target_band_with_one_bound_is_open_on_the_other_side():
    assert attainment(kpi(B, actual=1_000, low=10)) == 1.0
    assert attainment(kpi(B, actual=5, low=10)) == 0.0
    assert attainment(kpi(B, actual=-5, high=10)) == 1.0


@pytest.mark.parametrize(
    "figures",
    [
        kpi(H, baseline=1, target=2),
        kpi(H, baseline=1, actual=2),
        kpi(L, baseline=5, actual=1),
        kpi(B, actual=3),
        kpi(B, low=1, high=2),
        kpi(H, target=2, actual=None),
    ],
)
def test_no_actual_or_no_target_is_not_measured(figures):
    assert attainment(figures) is None
    assert measure_kpi(figures) == NOT_MEASURED


@pytest.mark.parametrize(
    "direction, actual, target, expected",
    [(H, 10, 10, 1.0), (H, 9, 10, 0.0), (L, 10, 10, 1.0), (L, 11, 10, 0.0), (L, 3, 10, 1.0)],
)
def test_without_baseline_attainment_is_whether_the_target_is_met(direction, actual, target, expected):
    assert attainment(kpi(direction, target=target, actual=actual)) == expected


@pytest.mark.parametrize(
    "direction, baseline, target, actual, expected",
    [
        (H, 10, 10, 10, 1.0),
        (H, 10, 10, 9, 0.0),  # target equal to the baseline: no division by zero
        (H, 10, 5, 7, 1.0),
        (H, 10, 5, 3, 0.0),  # a "higher" target below the baseline: met or not
        (L, 10, 20, 15, 1.0),
        (L, 10, 20, 25, 0.0),  # a "lower" target above the baseline: met or not
    ],
)
def test_a_target_not_beyond_the_baseline_is_met_or_not(direction, baseline, target, actual, expected):
    assert attainment(kpi(direction, baseline=baseline, target=target, actual=actual)) == expected


def test_negative_numbers_work_too():
    assert attainment(kpi(H, baseline=-50, target=50, actual=0)) == pytest.approx(0.5)
    assert attainment(kpi(L, baseline=0, target=-10, actual=-5)) == pytest.approx(0.5)


# --- KPI status --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [(1.0, ON), (AMBER, ON), (AMBER - 0.001, RISK), (RED, RISK), (RED - 0.001, OFF), (0.0, OFF), (None, NONE)],
)
def test_status_from_attainment_by_the_thresholds(value, expected):
    assert status_of(value) == expected


def test_custom_thresholds():
    assert status_of(0.7, amber=0.7, red=0.5) == ON
    assert status_of(0.6, amber=0.7, red=0.5) == RISK


def test_the_threshold_state_metrics_gives_wins_over_the_computed_one():
    figures = kpi(H, baseline=0, target=100, actual=100, status="at_risk")
    assert measure_kpi(figures) == Measure(1.0, RISK)
    assert measure_kpi(kpi(H, baseline=0, target=100, actual=95)) == Measure(0.95, ON)
    assert measure_kpi(kpi(H, baseline=0, target=100, actual=70)).status == RISK
    assert measure_kpi(kpi(H, baseline=0, target=100, actual=10)).status == OFF


def test_a_status_without_numbers_is_still_not_measured():
    assert measure_kpi(kpi(H, target=100, status="on_track")) == NOT_MEASURED
    assert measure_kpi(None) == NOT_MEASURED


def test_figures_from_the_metrics_api_ignore_what_is_absent_or_not_a_number():
    today = {"id": 1, "name": "Visits", "direction": "higher_is_better", "baseline_value": 100}
    assert measure_kpi(KpiFigures.from_api(today)) == NOT_MEASURED  # metrics serves no actual/target yet
    later = {**today, "target": 200, "actual": 150, "status": "off_track"}
    assert measure_kpi(KpiFigures.from_api(later)) == Measure(0.5, OFF)
    odd = {**later, "actual": "150", "status": "purple", "target": math.inf}
    figures = KpiFigures.from_api(odd)
    assert figures.actual is None and figures.target is None and figures.status is None
    assert KpiFigures.from_api({"actual": True, "target": 1}).actual is None
    assert KpiFigures.from_api({}).direction == H


# --- roll-up -----------------------------------------------------------------------------------------


def m(progress: float, status: Status | None = None) -> Measure:
    return Measure(progress, status or status_of(progress))


def test_progress_is_the_weighted_mean_and_status_the_worst():
    result = roll_up([(1, m(1.0)), (3, m(0.5))])
    assert result.progress == pytest.approx(0.625)
    assert result.status == OFF


def test_only_measured_items_count():
    assert roll_up([(1, m(0.8)), (5, NOT_MEASURED)]) == Measure(0.8, RISK)


def test_nothing_measured_is_null_progress_never_zero():
    assert roll_up([]) == NOT_MEASURED
    assert roll_up([(1, NOT_MEASURED), (2, NOT_MEASURED)]) == NOT_MEASURED


def test_zero_weight_counts_for_neither_progress_nor_status():
    result = roll_up([(1, m(1.0)), (0, m(0.0))])
    assert result == Measure(1.0, ON)


def test_all_measured_weights_zero_is_not_measured():
    assert roll_up([(0, m(1.0)), (0, m(0.2)), (3, NOT_MEASURED)]) == NOT_MEASURED


def test_negative_weights_are_ignored_like_zero():
    assert roll_up([(-1, m(0.0)), (1, m(1.0))]) == Measure(1.0, ON)


def test_worst_status_uses_the_given_status_not_the_progress():
    result = roll_up([(1, Measure(1.0, RISK)), (1, Measure(0.2, ON))])
    assert result.status == RISK and result.progress == pytest.approx(0.6)


def test_rolls_up_level_by_level():
    tactical = roll_up([(1, m(1.0)), (1, m(0.5))])
    means = roll_up([(2, tactical), (1, NOT_MEASURED)])
    goal = roll_up([(1, means), (1, m(0.0, OFF))])
    assert tactical.progress == means.progress == pytest.approx(0.75)
    assert goal.progress == pytest.approx(0.375) and goal.status == OFF


def test_the_rules_are_documented_for_the_api():
    for words in ("higher_is_better", "lower_is_better", "target_band", "not_measured", "weight", "worst"):
        assert words in RULES
