"""The effect map's layout: columns by level, parents beside their children, KPIs without overlap, wrapped titles."""

from __future__ import annotations

from frontend import effect_map
from frontend.effect_map import GOAL_H, KPI_H, Labels, layout, text_width, wrap

LABELS = Labels(
    columns=["G", "S", "T", "K"],
    status={"on_track": "On track", "not_measured": "Not measured"},
    levels={
        "strategic_goal": "Strategic goal",
        "strategic_means": "Strategic means",
        "tactical_means": "Tactical means",
    },
    kpi="KPI",
)


def goal(id_: int, level: str, children=(), kpis=(), progress=None, status="not_measured", title=None):
    return {
        "id": id_,
        "title": title or f"Goal {id_}",
        "level": level,
        "progress": progress,
        "status": status,
        "kpis": [{"kpi_id": k, "name": f"KPI {k}", "status": "not_measured"} for k in kpis],
        "children": list(children),
    }


def tree():
    t1 = goal(3, "tactical_means", kpis=[10])
    t2 = goal(4, "tactical_means", kpis=[10, 11])
    t3 = goal(6, "tactical_means")
    return [
        goal(
            1,
            "strategic_goal",
            [goal(2, "strategic_means", [t1, t2]), goal(5, "strategic_means", [t3])],
            kpis=[12],
            progress=0.625,
            status="on_track",
        )
    ]


def nodes_by_key(drawing):
    return {(n.kind, n.id): n for n in drawing.nodes}


def test_levels_are_columns_and_parents_sit_midway_beside_their_children():
    drawing = layout(tree(), labels=LABELS)
    n = nodes_by_key(drawing)
    assert [n["goal", i].column for i in (1, 2, 3, 4, 5, 6)] == [0, 1, 2, 2, 1, 2]
    assert n["goal", 2].y == (n["goal", 3].y + n["goal", 4].y) / 2
    assert n["goal", 1].y == (n["goal", 2].y + n["goal", 5].y) / 2
    assert n["goal", 3].y < n["goal", 4].y < n["goal", 6].y  # leaves keep the tree's order
    assert n["goal", 4].y - n["goal", 3].y >= GOAL_H  # and never overlap


def test_each_kpi_is_drawn_once_in_the_last_column_without_overlap():
    drawing = layout(tree(), labels=LABELS)
    kpis = sorted((n for n in drawing.nodes if n.kind == "kpi"), key=lambda n: n.y)
    assert sorted(k.id for k in kpis) == [10, 11, 12]
    assert all(k.column == 3 for k in kpis)
    assert all(b.y - a.y >= KPI_H for a, b in zip(kpis, kpis[1:], strict=False))
    # Two goals measure KPI 10: two edges reach it. A KPI of the strategic goal skips columns: a long edge.
    assert len(drawing.edges) == 5 + 4  # tree edges, then KPI links
    assert sum(e.long for e in drawing.edges) == 1


def test_progress_is_shown_only_when_measured():
    n = nodes_by_key(layout(tree(), labels=LABELS))
    assert n["goal", 1].percent == 62 and n["goal", 1].status_label == "On track"
    assert n["goal", 3].percent is None and n["goal", 3].status_label == "Not measured"
    assert "62 %" in n["goal", 1].label and "Strategic goal" in n["goal", 1].label


def test_the_drawing_holds_every_node():
    drawing = layout(tree(), labels=LABELS)
    assert all(node.x + node.width <= drawing.width for node in drawing.nodes)
    assert all(node.top + node.height <= drawing.height for node in drawing.nodes)


def test_an_empty_tree_is_an_empty_drawing():
    drawing = layout([], labels=LABELS)
    assert drawing.nodes == [] and drawing.edges == [] and len(drawing.columns) == 4


def test_titles_wrap_on_words_keep_units_and_end_with_an_ellipsis_when_cut():
    assert wrap("Grow online revenue by 15 %") == ["Grow online revenue by", "15\u00a0%"]
    lines = wrap("Answer every complaint on every social media channel within four hours, all year round")
    assert len(lines) == effect_map.TITLE_LINES and lines[-1].endswith("…")
    assert all(text_width(line) <= effect_map.TITLE_EMS for line in lines)
    assert wrap("Short") == ["Short"]
