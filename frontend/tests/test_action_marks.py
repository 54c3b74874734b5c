"""The markers of done actions: one code path (action_views.marks) for the KPI chart and the scorecard's
sparklines, placed in the period the action was done in, and named in the sparkline's summary."""

from __future__ import annotations

from datetime import date

from frontend import action_views, sparkline
from frontend.templating import templates


def done(n: int, day: str, title: str = "Fix checkout") -> dict:
    return {"id": n, "title": title, "done_on": day, "kpi_id": 7}


def test_a_sparkline_marks_an_action_in_the_period_it_was_done_in():
    s = sparkline.spark([float(v) for v in range(12)])
    step = (s.width - 2 * sparkline.PAD) / 11
    found = action_views.spark_marks(s, "month", "2026-12-01", [done(1, "2026-09-01"), done(2, "2026-12-31")])
    assert [a["id"] for _, a in found] == [1, 2]
    assert found[0][0] == round(sparkline.PAD + 8 * step, 1)  # September is the 9th of the twelve months
    assert found[1][0] == s.width - sparkline.PAD  # late in the last period: inside the box
    quarter = action_views.spark_marks(s, "quarter", "2026-10-01", [done(3, "2026-08-16")])
    assert sparkline.PAD + 10 * step < quarter[0][0] < sparkline.PAD + 11 * step  # halfway through Q3


def test_actions_off_the_sparkline_or_not_done_get_no_marker():
    s = sparkline.spark([1.0] * 12)
    rows = [done(1, "2025-12-31"), done(2, "2027-01-01"), {"id": 3, "title": "Open", "done_on": None}]
    assert action_views.spark_marks(s, "month", "2026-12-01", rows) == []
    assert action_views.spark_since("month", "2026-12-01") == date(2026, 1, 1)
    assert action_views.spark_since("quarter", "2026-10-01") == date(2024, 1, 1)


def test_the_kpi_chart_uses_the_same_markers():
    chart = action_views.kpi_chart(
        [{"period_start": "2026-01-01", "value": 1.0}, {"period_start": "2026-03-01", "value": 2.0}],
        [done(1, "2026-02-01")],
    )
    assert [a["id"] for _, a in chart.marks] == [1] and chart.dots[0][0] < chart.marks[0][0] < chart.dots[1][0]


def test_the_sparkline_draws_the_marker_and_its_summary_names_it():
    sparkline.install(templates.env)
    action_views.install(templates.env)
    html = templates.env.get_template("_kpi_sparkline.html").render(
        values=[float(v) for v in range(12)], unit="number", currency=None, lang="en",
        done=[done(5, "2026-11-12", "Keep the basket")], spark_period=("month", "2026-12-01"),
    )  # fmt: skip
    assert 'class="action-marker" data-action="5"' in html
    assert "1 action done on it is marked: Keep the basket, done on" in html
    plain = templates.env.get_template("_kpi_sparkline.html").render(
        values=[1.0] * 12, unit="number", currency=None, lang="en"
    )
    assert "action-marker" not in plain and "marked" not in plain
