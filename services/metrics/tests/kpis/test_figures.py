"""Targets, thresholds, status rules and the one-query aggregation of KPI values."""

from __future__ import annotations

from datetime import date

import pytest

from kit.errors import Invalid
from services.metrics.kpis import figures, periods, service, status, targets
from services.metrics.kpis.models import KpiTargetIn, KpiUpdate
from services.metrics.observations.models import Observation
from services.metrics.tests.factories import new_kpi as make
from services.metrics.tests.factories import observe


def test_period_bounds_and_labels():
    assert periods.period_bounds("quarter", date(2026, 11, 23)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert periods.period_bounds("week", date(2026, 11, 23)) == (date(2026, 11, 23), date(2026, 11, 29))
    assert periods.previous_bounds("month", date(2026, 3, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert periods.period_label("quarter", date(2026, 10, 1)) == "Q4 2026"
    assert periods.period_label("month", date(2026, 11, 1)) == "November 2026"


def test_stale_when_a_period_is_missing():
    today = date(2026, 11, 23)
    assert not periods.is_stale("month", date(2026, 10, 1), today)
    assert periods.is_stale("month", date(2026, 9, 1), today)
    assert periods.is_stale("day", None, today)
    assert not periods.is_stale(None, None, today)


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


def test_targets_replace_and_refuse_overlaps(session):
    kpi = make(session)
    items = [
        KpiTargetIn(period_start=date(2026, 1, 1), period_end=date(2026, 6, 30), target=10),
        KpiTargetIn(period_start=date(2026, 6, 1), period_end=date(2026, 12, 31), target=20),
    ]
    with pytest.raises(Invalid) as exc:
        targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=items)
    assert exc.value.errors[0]["field"] == "targets.1.period_start"
    with pytest.raises(Invalid) as exc:
        targets.replace_targets(
            session=session,
            workspace_id=1,
            kpi_id=kpi.id,
            items=[KpiTargetIn(period_start=date(2026, 2, 1), period_end=date(2026, 1, 1), target=1)],
        )
    assert exc.value.errors[0]["field"] == "targets.0.period_end"
    items[1] = KpiTargetIn(period_start=date(2026, 7, 1), period_end=date(2026, 12, 31), target=20)
    targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=items)
    targets.replace_targets(session=session, workspace_id=1, kpi_id=kpi.id, items=items[1:])
    assert [t.target for t in targets.list_targets(session=session, workspace_id=1, kpi_id=kpi.id)] == [20]


def test_target_of_a_window_overlapping_else_next(session):
    kpi = make(session)
    targets.replace_targets(
        session=session,
        workspace_id=1,
        kpi_id=kpi.id,
        items=[
            KpiTargetIn(period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), target=1),
            KpiTargetIn(period_start=date(2026, 12, 31), period_end=date(2026, 12, 31), target=9),
        ],
    )
    found = targets.goals_for(session, [kpi.id], {kpi.id: (date(2026, 2, 1), date(2026, 2, 28))})
    assert found[kpi.id].target == 1
    found = targets.goals_for(session, [kpi.id], {kpi.id: (date(2026, 5, 1), date(2026, 5, 31))})
    assert found[kpi.id].target == 9


@pytest.mark.parametrize(
    "aggregation, expected", [("sum", 6.0), ("mean", 2.0), ("min", 1.0), ("max", 3.0), ("last", 2.0)]
)
def test_values_aggregate_in_sql(session, aggregation, expected):
    kpi = make(session, aggregation=aggregation)
    observe(
        session,
        kpi,
        (date(2026, 11, 1), 1.0),
        (date(2026, 11, 5), 3.0),
        (date(2026, 11, 20), 2.0),
        (date(2026, 10, 31), 100.0),
    )
    buckets = [
        figures.Bucket(date(2026, 10, 1), date(2026, 10, 31)),
        figures.Bucket(date(2026, 11, 1), date(2026, 11, 30)),
    ]
    found = figures.values(session, [kpi.id], buckets)
    assert found == {(kpi.id, 0): 100.0, (kpi.id, 1): expected}


def test_figures_of_the_current_period(session):
    kpi = make(session, baseline_value=0.0, expected_frequency="month")
    observe(session, kpi, (date(2026, 11, 1), 40.0), (date(2026, 11, 2), 40.0))
    targets.replace_targets(
        session=session,
        workspace_id=1,
        kpi_id=kpi.id,
        items=[KpiTargetIn(period_start=date(2026, 11, 1), period_end=date(2026, 11, 30), target=100)],
    )
    public = service.with_figures(session=session, kpis=[kpi], today=date(2026, 11, 23))[0]
    # 80 in the 22 days before today is on pace for 80 × 30 / 22 ≈ 109 in November: on track.
    assert (public.actual, public.target, public.attainment, public.status) == (80.0, 100.0, 1.0, "on_track")
    assert public.projected == pytest.approx(80 * 30 / 22)
    public = service.with_figures(session=session, kpis=[kpi], today=date(2026, 11, 28))[0]
    assert public.projected == pytest.approx(80 * 30 / 27) and public.status == "at_risk"  # fell behind


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


# --- the precedence rule ---------------------------------------------------------------------------

NOV, Q4 = figures.Bucket(date(2026, 11, 1), date(2026, 11, 30)), figures.Bucket(date(2026, 10, 1), date(2026, 12, 31))
WEEK = figures.Bucket(date(2026, 11, 2), date(2026, 11, 8))  # Monday to Sunday


def add(session, kpi, period, day, value, source="api"):
    session.add(Observation(kpi_id=kpi.id, workspace_id=1, period=period, period_start=day, value=value, source=source))
    session.flush()


@pytest.mark.parametrize(
    "aggregation, month, week", [("sum", 100.0, 5.0), ("mean", 100.0, 2.5), ("last", 100.0, 3.0), ("max", 100.0, 3.0)]
)
def test_the_coarsest_granularity_of_a_window_wins(session, aggregation, month, week):
    kpi = make(session, aggregation=aggregation)
    for day, value in ((date(2026, 11, 1), 1.0), (date(2026, 11, 2), 2.0), (date(2026, 11, 3), 3.0)):
        add(session, kpi, "day", day, value)
    add(session, kpi, "month", date(2026, 11, 1), 100.0)
    found = figures.values(session, [kpi.id], [NOV, WEEK, Q4])
    # November and Q4 hold a month: the days are its detail, not more of it. A week never holds a month.
    assert found == {(kpi.id, 0): month, (kpi.id, 1): week, (kpi.id, 2): month}


def test_weeks_count_in_the_month_where_they_start(session):
    kpi = make(session)
    add(session, kpi, "week", date(2026, 10, 26), 7.0)  # Monday 26 October to Sunday 1 November
    add(session, kpi, "week", date(2026, 11, 2), 5.0)
    found = figures.values(session, [kpi.id], [figures.Bucket(date(2026, 10, 1), date(2026, 10, 31)), NOV])
    assert found == {(kpi.id, 0): 7.0, (kpi.id, 1): 5.0}


@pytest.mark.parametrize("aggregation, expected", [("sum", 15.0), ("mean", 7.5), ("last", 8.0), ("min", 7.0)])
def test_one_source_per_period_manual_first(session, aggregation, expected):
    kpi = make(session, aggregation=aggregation)
    add(session, kpi, "day", date(2026, 11, 1), 10.0, "api")
    add(session, kpi, "day", date(2026, 11, 1), 7.0, "manual")  # a correction of the pushed value
    add(session, kpi, "day", date(2026, 11, 1), 9.0, "import")
    add(session, kpi, "day", date(2026, 11, 2), 8.0, "derived")
    add(session, kpi, "day", date(2026, 11, 2), 99.0, "api")  # api beats derived
    add(session, kpi, "day", date(2026, 11, 2), 8.0, "import")  # import beats both
    assert figures.values(session, [kpi.id], [NOV]) == {(kpi.id, 0): expected}


def test_precedence_applies_per_window_and_kpi(session):
    monthly = make(session, "Monthly")
    daily = make(session, "Daily")
    add(session, monthly, "month", date(2026, 10, 1), 50.0)
    add(session, monthly, "day", date(2026, 11, 3), 4.0)
    add(session, daily, "day", date(2026, 11, 3), 6.0)
    buckets = [figures.Bucket(date(2026, 10, 1), date(2026, 10, 31)), NOV, Q4]
    found = figures.values(session, [monthly.id, daily.id], buckets)
    # October has a month, November only days; the quarter holds October's month, so its days drop out.
    assert found == {
        (monthly.id, 0): 50.0,
        (monthly.id, 1): 4.0,
        (monthly.id, 2): 50.0,
        (daily.id, 1): 6.0,
        (daily.id, 2): 6.0,
    }


# --- derived values ---------------------------------------------------------------------------------


def test_derived_values_per_window_transitively(session):
    cost = make(session, "Cost", category="input")
    orders = make(session, "Orders")
    per_order = make(session, "Cost per order", formula="[Cost] / [Orders]")
    in_cents = make(session, "Cost per order in cents", formula="[Cost per order] * 100")
    add(session, cost, "month", date(2026, 10, 1), 500.0)
    add(session, orders, "month", date(2026, 10, 1), 0.0)
    add(session, cost, "month", date(2026, 11, 1), 300.0)
    add(session, orders, "month", date(2026, 11, 1), 60.0)
    add(session, cost, "month", date(2026, 12, 1), 300.0)  # December has no orders
    add(session, per_order, "month", date(2026, 11, 1), 1234.0)  # ignored: the formula decides
    months = [figures.Bucket(*periods.period_bounds("month", date(2026, m, 1))) for m in (10, 11, 12)]
    found = figures.values(session, [in_cents.id, per_order.id], months)
    assert found == {(per_order.id, 1): 5.0, (in_cents.id, 1): 500.0}  # October: division by zero; December: none
    assert figures.last_observed(session, [per_order.id, cost.id]) == {
        per_order.id: date(2026, 11, 1),
        cost.id: date(2026, 12, 1),
    }


def test_derived_figures_of_the_current_period_use_its_frequency(session):
    visits = make(session, "Visits", expected_frequency="day")
    orders = make(session, "Orders", expected_frequency="month")
    rate = make(
        session, "Conversion", formula="[Orders] / [Visits] * 100", expected_frequency="week", baseline_value=0.0
    )
    targets.replace_targets(
        session=session,
        workspace_id=1,
        kpi_id=rate.id,
        items=[KpiTargetIn(period_start=date(2026, 11, 1), period_end=date(2026, 11, 30), target=10)],
    )
    for day in (date(2026, 11, 16), date(2026, 11, 23)):
        add(session, visits, "day", day, 100.0)
        add(session, orders, "day", day, 4.0)
    public = {
        p.name: p for p in service.with_figures(session=session, kpis=[visits, orders, rate], today=date(2026, 11, 23))
    }
    assert public["Visits"].actual == 100.0 and public["Orders"].actual == 8.0
    assert public["Conversion"].actual == 4.0  # the week of 23 November: 4 orders of 100 visits
    assert (public["Conversion"].target, public["Conversion"].status) == (10.0, "off_track")
    assert public["Conversion"].derived and public["Conversion"].formula_display == "[Orders] / [Visits] * 100"
