"""The goal tree as pages show it: sibling order for the move buttons, subtree sizes, history in words."""

from __future__ import annotations

from frontend import goal_form, goal_tree
from frontend.goal_tree import Names, annotate, describe

NAMES = Names(
    person=lambda i: {7: "Ingrid"}.get(i, "a former member"),
    surface=lambda i: {1: "Web shop"}[i],
    kpi=lambda i: {5: "Visits"}.get(i, f"KPI {i}"),
    day=lambda d: f"day {d}",
)


def node(id_, level, children=(), archived=False):
    return {"id": id_, "title": f"G{id_}", "level": level, "archived": archived, "children": list(children)}


def test_annotate_marks_the_ends_among_active_siblings_and_counts_subtrees():
    roots = [
        node(
            1,
            "strategic_goal",
            [
                node(2, "strategic_means", [node(4, "tactical_means")]),
                node(3, "strategic_means", archived=True),
                node(5, "strategic_means"),
            ],
        )
    ]
    assert annotate(roots) == 5
    one, two, three, five = (goal_tree.find(roots, i) for i in (1, 2, 3, 5))
    assert one["descendants"] == 4 and two["descendants"] == 1
    assert (two["first"], two["last"], five["first"], five["last"]) == (True, False, False, True)
    assert not three["first"] and not three["last"]  # an archived goal is not reordered
    assert two["child_level"] == "tactical_means" and goal_tree.find(roots, 4)["child_level"] is None
    assert goal_tree.find(roots, 4)["parent_id"] == 2 and not goal_tree.find(roots, 4)["parent_archived"]


def test_an_update_reads_as_old_and_new_values():
    event = describe(
        {
            "at": "2026-11-23T10:00:00Z",
            "user_id": 7,
            "action": "updated",
            "changes": {
                "title": ["Old", "New"],
                "owner_id": [None, 7],
                "period_to": [None, "2026-12-31"],
                "surface_ids": [[1], []],
                "description": ["a", "b"],
                "kpis.5.weight": [1.0, 2.5],
            },
        },
        NAMES,
    )
    assert event.who == "Ingrid" and event.action == "changed the goal"
    rows = {c.label: c for c in event.changes}
    assert (rows["Title"].old, rows["Title"].new) == ("Old", "New")
    assert (rows["Owner"].old, rows["Owner"].new) == (None, "Ingrid")
    assert rows["End"].new == "day 2026-12-31"
    assert (rows["Surfaces"].old, rows["Surfaces"].new) == ("Web shop", None)
    assert rows["Description"].long
    assert (rows["KPI weight"].about, rows["KPI weight"].old, rows["KPI weight"].new) == ("Visits", "1", "2.5")


def test_creation_moves_and_links_read_plainly():
    created = describe(
        {
            "user_id": 99,
            "action": "created",
            "changes": {"title": [None, "G"], "position": [None, 0], "parent_id": [None, 3], "archived": [None, False]},
        },
        NAMES,
    )
    assert created.who == "a former member" and [c.label for c in created.changes] == ["Title"]
    moved = describe({"user_id": 7, "action": "moved", "changes": {"position": [2, 1], "parent_id": [3, 4]}}, NAMES)
    assert [(c.label, c.old, c.new) for c in moved.changes][0] == ("Place among its siblings", "3", "2")
    assert moved.changes[1].note
    linked = describe(
        {"user_id": 7, "action": "kpi_linked", "changes": {"kpi_id": [None, 5], "weight": [None, 1]}}, NAMES
    )
    assert linked.action == "linked a KPI" and linked.subject == "Visits" and linked.changes == []


def test_the_goal_form_sends_what_the_api_takes():
    form = goal_form.blank("tactical_means", 4, 7) | {
        "title": "Answer fast",
        "surface_ids": {"1", "x"},
        "kpi_ids": {"5"},
        "kpis_shown": True,
        "weight": "2",
    }
    assert goal_form.create_payload(form) == {
        "title": "Answer fast",
        "owner_id": 7,
        "weight": 2.0,
        "level": "tactical_means",
        "parent_id": 4,
        "surface_ids": [1],
        "kpis": [{"kpi_id": 5, "weight": 1.0}],
    }
    current = {"level": "tactical_means", "kpis": [{"kpi_id": 5, "weight": 3.0}]}
    patch = goal_form.update_payload(form | {"kpi_ids": {"5", "6"}}, current)
    assert patch["kpis"] == [{"kpi_id": 5, "weight": 3.0}, {"kpi_id": 6, "weight": 1.0}]  # weights kept
    assert patch["description"] is None and patch["period_to"] is None  # cleared fields are sent as null
    assert "kpis" not in goal_form.update_payload(form | {"kpis_shown": False}, current)  # links left alone
    assert goal_form.weight_error(form | {"weight": "-1"}) and goal_form.weight_error(form | {"weight": "x"})
