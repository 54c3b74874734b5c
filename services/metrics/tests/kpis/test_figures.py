"""The one-query aggregation of KPI values: granularity, source precedence, derived values."""

from __future__ import annotations

from datetime import date

import pytest

from services.metrics.kpis import figures, periods, service, targets
from services.metrics.kpis.models import KpiTargetIn
from services.metrics.observations.models import Observation
from services.metrics.tests.factories import new_kpi as make
from services.metrics.tests.factories import observe


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
