"""Targets, thresholds, status rules and the one-query aggregation of KPI values."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from kit.errors import Invalid
from kit.testing import fresh_engine
from services.metrics import service, targets
from services.metrics.db import MetricsModel
from services.metrics.models import Kpi, KpiCreate, KpiTargetIn, KpiUpdate, Observation


@pytest.fixture
def session(tmp_path):
    with fresh_engine(tmp_path, MetricsModel.metadata, "metrics") as engine, Session(engine) as s:
        yield s


def make(session, name="Visits", **fields) -> Kpi:
    data = KpiCreate(name=name, category=fields.pop("category", "result"), **fields)
    return service.create_kpi(session=session, workspace_id=1, data=data)


def observe(session, kpi, *pairs, period="day"):
    for day, value in pairs:
        session.add(Observation(kpi_id=kpi.id, workspace_id=1, period=period, period_start=day, value=value))
    session.flush()


def test_period_bounds_and_labels():
    assert targets.period_bounds("quarter", date(2026, 11, 23)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert targets.period_bounds("week", date(2026, 11, 23)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert targets.previous_bounds("month", date(2026, 3, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert targets.period_label("quarter", date(2026, 10, 1)) == "Q4 2026"
    assert targets.period_label("month", date(2026, 11, 1)) == "November 2026"


def test_stale_when_a_period_is_missing():
    today = date(2026, 11, 23)
    assert not targets.is_stale("month", date(2026, 10, 1), today)
    assert targets.is_stale("month", date(2026, 9, 1), today)
    assert targets.is_stale("day", None, today)
    assert not targets.is_stale(None, None, today)


@pytest.mark.parametrize("fields, field", [
    ({"amber_threshold": 1.5}, "amber_threshold"),
    ({"amber_threshold": 0.5, "red_threshold": 0.7}, "red_threshold"),
    ({"threshold_mode": "absolute", "amber_threshold": 10.0}, "red_threshold"),
    ({"threshold_mode": "absolute", "amber_threshold": 10.0, "red_threshold": 20.0}, "red_threshold"),
])
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
    goal = targets.Goal(100.0)
    assert targets.status_of(kpi, 95, targets.attainment(kpi, 95, goal)) == "on_track"
    assert targets.status_of(kpi, 70, targets.attainment(kpi, 70, goal)) == "at_risk"
    assert targets.status_of(kpi, 10, targets.attainment(kpi, 10, goal)) == "off_track"
    assert targets.status_of(kpi, None, None) == "not_measured"
    low = make(session, "Complaints", direction="lower_is_better", threshold_mode="absolute",
               amber_threshold=20.0, red_threshold=40.0)
    assert targets.status_of(low, 30, targets.attainment(low, 30, targets.Goal(10.0))) == "at_risk"
    assert targets.status_of(low, 15, targets.attainment(low, 15, targets.Goal(10.0))) == "on_track"
    band = make(session, "Cost", direction="target_band")
    assert targets.attainment(band, 5, targets.Goal(5.0, 4.0, 6.0)) == 1.0
    assert targets.attainment(band, 7, targets.Goal(5.0, 4.0, 6.0)) == 0.0


def test_targets_replace_and_refuse_overlaps(session):
    kpi = make(session)
    items = [KpiTargetIn(period_start=date(2026, 1, 1), period_end=date(2026, 6, 30), target=10),
             KpiTargetIn(period_start=date(2026, 6, 1), period_end=date(2026, 12, 31), target=20)]
    with pytest.raises(Invalid) as exc:
        targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=items)
    assert exc.value.errors[0]["field"] == "targets.1.period_start"
    with pytest.raises(Invalid) as exc:
        targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=[
            KpiTargetIn(period_start=date(2026, 2, 1), period_end=date(2026, 1, 1), target=1)])
    assert exc.value.errors[0]["field"] == "targets.0.period_end"
    items[1] = KpiTargetIn(period_start=date(2026, 7, 1), period_end=date(2026, 12, 31), target=20)
    targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=items)
    targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=items[1:])
    assert [t.target for t in targets.list_targets(session=session, workspace_id=1, kpi_id=kpi.id)] == [20]


def test_target_of_a_window_overlapping_else_next(session):
    kpi = make(session)
    targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=[
        KpiTargetIn(period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), target=1),
        KpiTargetIn(period_start=date(2026, 12, 31), period_end=date(2026, 12, 31), target=9)])
    found = targets.goals_for(session, [kpi.id], {kpi.id: (date(2026, 2, 1), date(2026, 2, 28))})
    assert found[kpi.id].target == 1
    found = targets.goals_for(session, [kpi.id], {kpi.id: (date(2026, 5, 1), date(2026, 5, 31))})
    assert found[kpi.id].target == 9


@pytest.mark.parametrize("aggregation, expected", [
    ("sum", 6.0), ("mean", 2.0), ("min", 1.0), ("max", 3.0), ("last", 2.0)])
def test_values_aggregate_in_sql(session, aggregation, expected):
    kpi = make(session, aggregation=aggregation)
    observe(session, kpi, (date(2026, 11, 1), 1.0), (date(2026, 11, 5), 3.0), (date(2026, 11, 20), 2.0),
            (date(2026, 10, 31), 100.0))
    buckets = [targets.Bucket(date(2026, 10, 1), date(2026, 10, 31)),
               targets.Bucket(date(2026, 11, 1), date(2026, 11, 30))]
    found = targets.values(session, [kpi.id], buckets)
    assert found == {(kpi.id, 0): 100.0, (kpi.id, 1): expected}


def test_figures_of_the_current_period(session):
    kpi = make(session, baseline_value=0.0, expected_frequency="month")
    observe(session, kpi, (date(2026, 11, 1), 40.0), (date(2026, 11, 2), 40.0))
    targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=[
        KpiTargetIn(period_start=date(2026, 11, 1), period_end=date(2026, 11, 30), target=100)])
    public = service.with_figures(session=session, kpis=[kpi], today=date(2026, 11, 23))[0]
    assert (public.actual, public.target, public.attainment, public.status) == (80.0, 100.0, 0.8, "at_risk")
