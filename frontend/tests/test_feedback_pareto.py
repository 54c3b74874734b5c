"""The report's Pareto chart: every label, count and share inside the picture, and no two labels on each other."""

from __future__ import annotations

import re

from frontend.pages import feedback
from frontend.templating import gettext_functions, templates

FONT = 11 * 0.62  # a generous width of one character at the chart's font size


def test_the_tallest_bar_and_the_whole_cumulative_line_stay_inside():
    chart = feedback.pareto({1: 480, 2: 120, 3: 60, 4: 12, 5: 1})
    width, height = chart["width"], chart["height"]
    first = chart["bars"][0]
    assert (
        first["count"] == 480
        and first["x"] + first["w"] + 4 + len("480") * FONT < chart["share_x"] - len("100 %") * FONT
    )
    for point in chart["line"].split():
        x, y = map(float, point.split(","))
        assert 0 <= x <= width and 0 <= y <= height
    assert chart["line"].split()[-1].startswith(f"{first['x'] + first['w']},")  # 100 % is the bar area's end
    assert [b["share"] for b in chart["bars"]] == [71, 89, 98, 100, 100]
    middles = [b["middle"] for b in chart["bars"]]
    assert all(later - earlier >= 2 * 11 for earlier, later in zip(middles, middles[1:], strict=False))
    assert all(b["y"] >= 20 and b["y"] + b["h"] <= height for b in chart["bars"])


def test_long_category_names_are_kept_left_of_their_bars():
    names = {1: "Overselling or expectations", 2: "Internal communication between the shop and the warehouse"}
    chart = feedback.pareto({1: 9, 2: 8})
    html = templates.env.from_string(
        '{% from "_feedback_macros.html" import category_name with context %}'
        '{% for b in pareto.bars %}<text x="{{ pareto.label_x }}">'
        '{{ category_name(categories, category_keys, b.key)|truncate(30, true, "…", 0) }}</text>{% endfor %}'
    ).render(
        pareto=chart,
        categories={k: {"id": k, "key": None, "name": n} for k, n in names.items()},
        category_keys=feedback.CATEGORY_KEYS,
        **gettext_functions("en"),
    )
    labels = re.findall(r">([^<]+)</text>", html)
    assert labels[0] == "Overselling or expectations"  # whole
    assert len(labels[1]) <= 30 and labels[1].endswith("…")
    assert all(len(label) * FONT <= chart["label_x"] for label in labels)  # ends before the bars begin
