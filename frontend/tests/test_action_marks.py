"""The markers of done actions: one code path (action_views.marks) for the KPI chart and the scorecard's
sparklines, placed in the period the action was done in, and named in the sparkline's summary."""

from __future__ import annotations

from datetime import date

from frontend import action_views, sparkline
from frontend.templating import gettext_functions, templates


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


def reason(e: dict, lang: str = "en", today: str | None = None) -> str:
    base = {"threshold": None, "change": None, "expected_change": None, "noise_periods": 0, "window_periods": 3,
            "window_observed": 3, "window_end": "2026-09-30", "reason": "in English"}  # fmt: skip
    template = templates.env.from_string(
        '{% from "_effect_reason.html" import effect_reason with context %}{{ effect_reason(e, today) }}'
    )
    return " ".join(template.render(e={**base, **e}, today=today, lang=lang, **gettext_functions(lang)).split())


def test_the_effect_reason_is_said_in_the_pages_language():
    noise = {"verdict": "inconclusive", "change": 0.4, "threshold": 1.234, "noise_periods": 12}
    assert reason(noise) == (
        "The change (+0.4) is inside the normal period-to-period variation of the last 12 periods (±1.23)."
    )
    assert reason(noise, "nb").startswith("Endringen (+0,4) ligger innenfor")
    up = {"verdict": "confirmed", "change": 22.0, "threshold": 2.0, "expected_change": 10.0}
    assert reason(up) == (
        "The KPI moved +22 the expected way, beyond the normal variation (±2); 220 % of the expected +10."
    )
    assert "motsatt vei" in reason({"verdict": "contradicted", "change": -5.0, "threshold": 2.0}, "nb")
    waiting = {"verdict": "not_enough_data", "window_observed": 1}
    assert reason(waiting, today="2026-09-01") == (
        "Not enough data: 1 of the 3 periods after completion have values; the window runs until Sep 30, 2026."
    )
    assert reason(waiting, today="2026-12-01").endswith("after completion have values.")
    assert reason({"verdict": "not_enough_data"}, "sv").startswith("För lite data: för få perioder")
    assert reason({"verdict": None, "window_periods": 0}, "fi").startswith("Ei arvioitavaa")
