"""Thresholds and status: attainment, pace and the status rule."""

from __future__ import annotations

from datetime import date

import pytest

from kit.errors import Invalid
from services.metrics.kpis import service, status
from services.metrics.kpis.models import KpiUpdate
from services.metrics.tests.factories import new_kpi as make


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"amber_threshold": 1.5}, "amber_threshold"),
        ({"amber_threshold": 0.5, "red_threshold": 0.7}, "red_threshold"),
        ({"threshold_mode": "absolute", "amber_threshold": 10.0}, "red_threshold"),
        ({"threshold_mode": "absolute", "amber_threshold": 10.0, "red_threshold": 20.0}, "red_threshold"),
    ],
)
def test_invalid_thresholds_name_the_field(session, fields, field):
    with pytest.raises(Invalid) as exc:
        make(session, **fields)
    assert exc.value.errors[0]["field"] == field


def test_patch_checks_merged_thresholds(session):
    kpi = make(session, amber_threshold=0.8, red_threshold=0.5)
    with pytest.raises(Invalid):
        service.update_kpi(session=session, workspace_id=1, kpi_id=kpi.id, data=KpiUpdate(red_threshold=0.9))


def test_status_relative_and_absolute(session):
    kpi = make(session, baseline_value=0.0)
    goal = status.Goal(100.0)
    assert status.status_of(kpi, 95, status.attainment(kpi, 95, goal)) == "on_track"
    assert status.status_of(kpi, 70, status.attainment(kpi, 70, goal)) == "at_risk"
    assert status.status_of(kpi, 10, status.attainment(kpi, 10, goal)) == "off_track"
    assert status.status_of(kpi, None, None) == "not_measured"
    low = make(
        session,
        "Complaints",
        direction="lower_is_better",
        threshold_mode="absolute",
        amber_threshold=20.0,
        red_threshold=40.0,
    )
    assert status.status_of(low, 30, status.attainment(low, 30, status.Goal(10.0))) == "at_risk"
    assert status.status_of(low, 15, status.attainment(low, 15, status.Goal(10.0))) == "on_track"
    band = make(session, "Cost", direction="target_band")
    assert status.attainment(band, 5, status.Goal(5.0, 4.0, 6.0)) == 1.0
    assert status.attainment(band, 7, status.Goal(5.0, 4.0, 6.0)) == 0.0


def test_pace_only_for_sums_of_a_period_still_running(session):
    total = make(session, aggregation="sum", baseline_value=0.0)
    level = make(session, name="Level", aggregation="mean", baseline_value=0.0)
    november = (date(2026, 11, 1), date(2026, 11, 30))
    assert status.paced(total, 30.0, *november, date(2026, 11, 11)) == pytest.approx(90.0)  # 10 days of 30
    assert status.paced(total, 30.0, *november, date(2026, 11, 1)) == pytest.approx(900.0)  # day one counts as one
    assert status.paced(total, 30.0, *november, date(2026, 12, 1)) == 30.0  # over: judged as it is
    assert status.paced(total, 30.0, *november, date(2026, 10, 31)) == 30.0  # not begun
    assert status.paced(level, 30.0, *november, date(2026, 11, 11)) == 30.0
    assert status.paced(total, None, *november, date(2026, 11, 11)) is None
    judged = status.judge(total, 30.0, status.Goal(target=100.0), november, date(2026, 11, 11))
    assert (judged.projected, judged.attainment, judged.status) == (pytest.approx(90.0), 0.9, "on_track")
