"""KPI figures and the sparkline geometry: units, change words, gaps in the line, the summary's numbers."""

from __future__ import annotations

from datetime import date

from jinja2 import Environment, FileSystemLoader

from frontend import sparkline
from frontend.templating import TEMPLATES


def test_figures_by_unit_in_the_pages_language():
    assert sparkline.figure(1234.5, "number", "en") == "1,234.5"
    assert sparkline.figure(1234.5, "number", "nb") == "1\u00a0234,5"
    assert sparkline.figure(12.5, "percent", "en") == "12.5\u00a0%"
    assert sparkline.figure(3.25, "duration", "en") == "3.25\u00a0h"
    assert sparkline.figure(1500, "currency", "en", "NOK") == "NOK\u00a01,500"
    assert sparkline.figure(None, "number", "en") == ""


def test_change_is_better_or_worse_by_the_direction():
    assert sparkline.trend(5, "higher_is_better") == "better"
    assert sparkline.trend(5, "lower_is_better") == "worse"
    assert sparkline.trend(-2, "lower_is_better") == "better"
    assert sparkline.trend(0, "higher_is_better") == "same"
    assert sparkline.trend(-1, "target_band") == "down"
    assert sparkline.trend(None, "higher_is_better") == ""


def test_period_labels():
    assert sparkline.period_label("month", "2026-11-01", "en") == "November 2026"
    assert sparkline.period_label("month", "2026-12-01", "sv") == "december 2026"  # Swedish months are lower case
    assert sparkline.period_label("quarter", date(2026, 10, 1), "en") == "Q4 2026"
    assert sparkline.period_label("year", "2026-01-01", "fi") == "2026"


def test_a_gap_breaks_the_line_and_a_lone_value_is_a_dot():
    s = sparkline.spark([1, 2, None, 4, None, None, 3, 5])
    assert len(s.lines) == 2  # [1, 2] and [3, 5]
    assert len(s.dots) == 1  # 4 stands alone
    assert s.measured == 5 and s.periods == 8
    assert (s.first_value, s.last_value, s.low, s.high) == (1, 5, 1, 5)
    xs = [float(p.split(",")[0]) for p in s.lines[0].split()]
    assert xs == sorted(xs) and xs[0] == sparkline.PAD
    ys = [float(p.split(",")[1]) for line in s.lines for p in line.split()]
    assert min(ys) >= 0 and max(ys) <= s.height
    assert s.last == (sparkline.WIDTH - sparkline.PAD, sparkline.PAD)  # the highest value is at the top


def test_flat_and_empty_lines():
    flat = sparkline.spark([3, 3, 3])
    assert {p.split(",")[1] for p in flat.lines[0].split()} == {str(sparkline.HEIGHT / 2)}
    empty = sparkline.spark([None] * 12)
    assert empty.empty and not empty.lines and empty.last is None


def test_the_svg_is_an_image_with_a_summary():
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_null_translations(newstyle=True)
    sparkline.install(env)
    env.globals["icon"] = lambda name: ""
    env.filters["day"] = lambda day, lang: str(day)  # the markers of done actions name their day
    html = env.get_template("_kpi_sparkline.html").render(
        values=[None, 10, 12, None, 15], unit="number", lang="en", currency=None
    )
    assert 'role="img"' in html and "<title>" in html
    assert "Last 5 periods, 3 with values: from 10 to 15, lowest 10, highest 15." in html
    assert html.count("<polyline") == 1 and html.count("spark-dot") == 1  # 10–12 a line, 15 alone
    none = env.get_template("_kpi_sparkline.html").render(values=[None, None], unit="number", lang="en")
    assert "No values in the last 2 periods." in none and "<polyline" not in none
