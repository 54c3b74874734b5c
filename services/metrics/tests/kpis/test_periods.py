"""Periods: their bounds, labels and when a KPI is stale."""

from __future__ import annotations

from datetime import date

from services.metrics.kpis import periods


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
