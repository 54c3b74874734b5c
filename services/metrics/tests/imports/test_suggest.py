"""The mapping a header suggests: a value column named like a KPI in the four languages, the period from the dates."""

from __future__ import annotations

import pytest

from services.metrics.imports.parse import suggest


@pytest.mark.parametrize("header", ["Besøk", "Besök", "Käynnit", "Visits", "Omsetning", "Intäkter", "Kustannukset"])
def test_a_column_named_like_a_kpi_holds_the_values(header):
    mapping = suggest(["Dato", header], [["2026-01-01", "10"], ["2026-02-01", "12"]])
    assert [r.value for r in mapping.columns] == ["period_start", "value"]


def test_a_value_column_wins_over_a_kpi_named_one():
    mapping = suggest(["Date", "Visits", "Value"], [])
    assert [r.value for r in mapping.columns] == ["period_start", "ignore", "value"]


@pytest.mark.parametrize(
    ("dates", "period"),
    [
        (["2026-01-01", "01.02.2026", "2026-03"], "month"),
        (["2026-03-02", "2026-03-09"], "week"),
        (["2026-03-02", "2026-03-03"], "day"),
        ([], "day"),
    ],
)
def test_the_period_follows_the_dates(dates, period):
    mapping = suggest(["Date", "Value"], [[d, "1"] for d in dates])
    assert mapping.period.value == period


def test_a_period_column_leaves_the_period_to_each_line():
    assert suggest(["KPI", "Period", "Start", "Value"], [["Visits", "month", "2026-01-01", "3"]]).period is None
