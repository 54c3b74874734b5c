"""Moving subtrees, reordering siblings, archiving and restoring subtrees, and the history of every change."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from kit.errors import Invalid
from kit.testing import problem
from services.goals.goals import moves, service
from services.goals.goals.metrics_client import NoKpis
from services.goals.goals.models import Goal, GoalCreate, GoalEvent, GoalMove
from services.goals.tests.support import GOALS, Api

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def order(api, parent_id: int | None = None) -> list[str]:
    if parent_id is None:
        return [n["title"] for n in api.get(f"{GOALS}/tree").json()["data"]]
    return [c["title"] for c in api.get(f"{GOALS}/{parent_id}").json()["children"]]


def positions(api, parent_id: int) -> list[int]:
    return [c["position"] for c in api.get(f"{GOALS}/{parent_id}").json()["children"]]


def three_means(api) -> tuple[dict, list[dict]]:
    goal = api.goal("G", "strategic_goal")
    return goal, [api.goal(t, "strategic_means", goal["id"]) for t in ("A", "B", "C")]


# --- reorder ------------------------------------------------------------------------------------------


def test_new_goals_go_last_unless_a_position_is_given(api):
    goal, _ = three_means(api)
    api.goal("First", "strategic_means", goal["id"], position=0)
    api.goal("Far", "strategic_means", goal["id"], position=99)
    assert order(api, goal["id"]) == ["First", "A", "B", "C", "Far"]
    assert positions(api, goal["id"]) == [0, 1, 2, 3, 4]


def test_reorder_by_move_or_by_patch_renumbers_the_siblings(api):
    goal, (a, b, c) = three_means(api)
    resp = api.post(f"{GOALS}/{c['id']}/move", {"position": 0})
    assert resp.status_code == 200, resp.text
    assert order(api, goal["id"]) == ["C", "A", "B"] and positions(api, goal["id"]) == [0, 1, 2]
    api.patch(f"{GOALS}/{c['id']}", {"position": 2})
    assert order(api, goal["id"]) == ["A", "B", "C"] and positions(api, goal["id"]) == [0, 1, 2]
    api.post(f"{GOALS}/{a['id']}/move", {"position": 1})
    assert order(api, goal["id"]) == ["B", "A", "C"]


def test_roots_reorder_too(api):
    for title in ("One", "Two", "Three"):
        api.goal(title, "strategic_goal")
    three = api.get(GOALS, params={"q": "Three"}).json()["data"][0]
    api.post(f"{GOALS}/{three['id']}/move", {"parent_id": None, "position": 0})
    assert order(api) == ["Three", "One", "Two"]


# --- move ---------------------------------------------------------------------------------------------


def test_move_a_subtree_under_another_parent(api):
    goal, means, tactic = api.chain()
    other = api.goal("Reduce costs", "strategic_goal")
    api.goal("Self-service", "strategic_means", other["id"])
    resp = api.post(f"{GOALS}/{means['id']}/move", {"parent_id": other["id"], "position": 0})
    assert resp.status_code == 200, resp.text
    assert resp.json()["parent_id"] == other["id"] and resp.json()["ancestors"][0]["id"] == other["id"]
    assert order(api, other["id"]) == ["Customer satisfaction", "Self-service"]
    assert order(api, goal["id"]) == []
    assert api.get(f"{GOALS}/{tactic['id']}").json()["ancestors"][0]["id"] == other["id"]  # the subtree came along


def test_moving_closes_the_gap_it_leaves(api):
    goal, (a, b, c) = three_means(api)
    other = api.goal("Other", "strategic_goal")
    api.post(f"{GOALS}/{a['id']}/move", {"parent_id": other["id"]})
    assert positions(api, goal["id"]) == [0, 1]


@pytest.mark.parametrize("target", ["self", "child", "grandchild"])
def test_a_cycle_is_422_naming_parent_id(api, target):
    goal, means, tactic = api.chain()
    parent = {"self": goal, "child": means, "grandchild": tactic}[target]
    body = problem(api.post(f"{GOALS}/{goal['id']}/move", {"parent_id": parent["id"]}), 422, "parent_id")
    assert "itself" in body["detail"]
    assert api.get(f"{GOALS}/{goal['id']}").json()["parent_id"] is None


def test_service_refuses_a_cycle_even_where_levels_would_not_notice(engine):
    """Levels make every cycle a level error too; the cycle check runs first and says what is wrong."""
    with Session(engine) as session:
        a = Goal(workspace_id=1, title="a", level="strategic_goal")
        session.add(a)
        session.flush()
        b = Goal(workspace_id=1, title="b", level="strategic_means", parent_id=a.id)
        session.add(b)
        session.flush()
        with pytest.raises(Invalid) as caught:
            moves._check_no_cycle(session, a, b)
        assert caught.value.errors[0]["field"] == "parent_id"
        moves._check_no_cycle(session, b, a)  # moving b under a is no cycle


@pytest.mark.parametrize(
    "mover, parent",
    [
        ("means", None),
        ("means", "tactic"),
        ("tactic", "goal"),
        ("goal", "other_means"),
        ("means", "missing"),
        ("tactic", None),
    ],
)
def test_a_move_to_the_wrong_level_is_422_and_changes_nothing(api, mover, parent):
    goal, means, tactic = api.chain()
    other = api.goal("Other", "strategic_goal")
    other_means = api.goal("Other means", "strategic_means", other["id"])
    nodes = {"goal": goal, "means": means, "tactic": tactic, "other_means": other_means}
    parent_id = 999_999 if parent == "missing" else (nodes[parent]["id"] if parent else None)
    before = api.get(f"{GOALS}/tree").json()
    problem(api.post(f"{GOALS}/{nodes[mover]['id']}/move", {"parent_id": parent_id}), 422, "parent_id")
    assert api.get(f"{GOALS}/tree").json() == before


def test_move_under_another_workspaces_goal_is_422(client, api):
    _, means, _ = api.chain()
    theirs = Api(client, workspace_id=2).goal("Theirs", "strategic_goal")
    problem(api.post(f"{GOALS}/{means['id']}/move", {"parent_id": theirs["id"]}), 422, "parent_id")


def test_an_active_goal_cannot_move_under_an_archived_one(api):
    goal, means, _ = api.chain()
    other = api.goal("Other", "strategic_goal")
    api.post(f"{GOALS}/{other['id']}/archive")
    problem(api.post(f"{GOALS}/{means['id']}/move", {"parent_id": other["id"]}), 422, "parent_id")
    problem(api.post(GOALS, {"title": "M", "level": "strategic_means", "parent_id": other["id"]}), 422, "parent_id")


# --- archive and restore ------------------------------------------------------------------------------


def test_archive_takes_the_subtree_and_restore_brings_it_back(api):
    goal, means, tactic = api.chain()
    sibling = api.goal("Sibling", "strategic_goal")
    resp = api.post(f"{GOALS}/{goal['id']}/archive")
    assert resp.status_code == 200 and resp.json()["archived"] is True
    assert [n["title"] for n in api.get(f"{GOALS}/tree").json()["data"]] == ["Sibling"]
    assert api.get(f"{GOALS}/{sibling['id']}").json()["position"] == 0  # the gap is closed
    assert all(api.get(f"{GOALS}/{g['id']}").json()["archived"] for g in (goal, means, tactic))
    archived = api.get(f"{GOALS}/tree", params={"archived": "true"}).json()
    assert archived["count"] == 3 and archived["data"][0]["children"][0]["children"][0]["id"] == tactic["id"]
    assert api.get(f"{GOALS}/tree", params={"archived": "all"}).json()["count"] == 4
    resp = api.post(f"{GOALS}/{goal['id']}/restore")
    assert resp.status_code == 200 and resp.json()["archived"] is False
    assert not any(api.get(f"{GOALS}/{g['id']}").json()["archived"] for g in (goal, means, tactic))
    assert order(api) == ["Increase revenue", "Sibling"]  # back at its old place


def test_restoring_under_an_archived_parent_is_422_naming_parent_id(api):
    goal, means, tactic = api.chain()
    api.post(f"{GOALS}/{goal['id']}/archive")
    problem(api.post(f"{GOALS}/{means['id']}/restore"), 422, "parent_id")
    assert api.get(f"{GOALS}/{means['id']}").json()["archived"] is True


def test_archiving_a_child_renumbers_and_restoring_puts_it_back(api):
    goal, (a, b, c) = three_means(api)
    api.post(f"{GOALS}/{b['id']}/archive")
    assert order(api, goal["id"]) == ["A", "C"] and positions(api, goal["id"]) == [0, 1]
    assert api.get(f"{GOALS}/{goal['id']}").json()["child_count"] == 2
    api.post(f"{GOALS}/{b['id']}/restore")
    assert order(api, goal["id"]) == ["A", "B", "C"] and positions(api, goal["id"]) == [0, 1, 2]


def test_archive_and_restore_twice_is_harmless(api):
    goal = api.goal("G", "strategic_goal")
    api.post(f"{GOALS}/{goal['id']}/archive")
    assert api.post(f"{GOALS}/{goal['id']}/archive").status_code == 200
    api.post(f"{GOALS}/{goal['id']}/restore")
    assert api.post(f"{GOALS}/{goal['id']}/restore").status_code == 200
    actions = [e["action"] for e in api.get(f"{GOALS}/{goal['id']}/history").json()["data"]]
    assert actions == ["restored", "archived", "created"]


def test_an_archived_child_does_not_count_for_an_active_parent(api, metrics):
    metrics.add(1, 1, baseline_value=0, target=10, actual=10)
    goal, means, tactic = api.chain()
    api.patch(f"{GOALS}/{tactic['id']}", {"kpis": [{"kpi_id": 1}]})
    assert api.get(f"{GOALS}/{goal['id']}").json()["progress"] == 1
    api.post(f"{GOALS}/{tactic['id']}/archive")
    assert api.get(f"{GOALS}/{goal['id']}").json()["progress"] is None
    api.post(f"{GOALS}/{goal['id']}/archive")
    assert api.get(f"{GOALS}/{goal['id']}").json()["progress"] == 1  # an archived goal rolls up as it was


# --- history ------------------------------------------------------------------------------------------


def test_every_change_is_recorded_newest_first(api, metrics):
    metrics.add(1, 5)
    goal, means, tactic = api.chain()
    other = api.goal("Other", "strategic_goal")
    api.patch(f"{GOALS}/{means['id']}", {"title": "Happier customers", "weight": 2, "period_from": "2026-01-01"})
    api.patch(f"{GOALS}/{means['id']}", {"title": "Happier customers"})  # no change, no event
    api.patch(f"{GOALS}/{means['id']}", {"kpis": [{"kpi_id": 5}]})
    api.patch(f"{GOALS}/{means['id']}", {"kpis": [{"kpi_id": 5, "weight": 3}]})
    api.delete(f"{GOALS}/{means['id']}/kpis/5")
    api.post(f"{GOALS}/{means['id']}/move", {"parent_id": other["id"]})
    api.post(f"{GOALS}/{means['id']}/archive")
    api.post(f"{GOALS}/{means['id']}/restore")
    events = api.get(f"{GOALS}/{means['id']}/history").json()
    actions = [e["action"] for e in events["data"]]
    assert actions == ["restored", "archived", "moved", "kpi_unlinked", "updated", "kpi_linked", "updated", "created"]
    assert events["count"] == 8
    by = {e["action"]: e for e in reversed(events["data"])}
    assert by["created"]["changes"]["title"] == [None, "Customer satisfaction"]
    assert by["created"]["changes"]["parent_id"] == [None, goal["id"]]
    first_update = events["data"][-2]["changes"]
    assert first_update == {
        "title": ["Customer satisfaction", "Happier customers"],
        "weight": [1.0, 2.0],
        "period_from": [None, "2026-01-01"],
    }
    assert events["data"][4]["changes"] == {"kpis.5.weight": [1.0, 3.0]}
    assert by["kpi_linked"]["changes"] == {"kpi_id": [None, 5], "weight": [None, 1.0]}
    assert by["moved"]["changes"]["parent_id"] == [goal["id"], other["id"]]
    assert by["archived"]["changes"] == {"archived": [False, True]}
    assert all(e["user_id"] == 1 and e["goal_id"] == means["id"] and e["at"] for e in events["data"])
    # the subtree's archive and restore are recorded on each node
    assert [e["action"] for e in api.get(f"{GOALS}/{tactic['id']}/history").json()["data"]][:2] == [
        "restored",
        "archived",
    ]
    page = api.get(f"{GOALS}/{means['id']}/history", params={"limit": 2, "offset": 1}).json()
    assert [e["action"] for e in page["data"]] == ["archived", "moved"]


def test_history_records_who_made_the_change(client, api):
    goal = api.goal("G", "strategic_goal")
    Api(client, user_id=42).patch(f"{GOALS}/{goal['id']}", {"title": "H"})
    assert [e["user_id"] for e in api.get(f"{GOALS}/{goal['id']}/history").json()["data"]] == [42, 1]


def test_refused_changes_leave_no_event_and_no_change(api):
    goal, means, tactic = api.chain()
    before = api.get(f"{GOALS}/{tactic['id']}/history").json()["count"]
    problem(api.patch(f"{GOALS}/{tactic['id']}", {"title": "New", "surface_ids": [999_999]}), 422, "surface_ids")
    problem(api.post(f"{GOALS}/{tactic['id']}/move", {"parent_id": goal["id"]}), 422, "parent_id")
    assert api.get(f"{GOALS}/{tactic['id']}/history").json()["count"] == before
    assert api.get(f"{GOALS}/{tactic['id']}").json()["title"] == "Answer within 4 h"


def test_service_functions_write_events_but_never_commit(engine):
    with Session(engine) as session:
        goal = service.create_goal(
            session=session,
            workspace_id=1,
            user_id=3,
            metrics=NoKpis(),
            data=GoalCreate(title="G", level="strategic_goal"),
        )
        moves.move_goal(session=session, workspace_id=1, user_id=3, goal_id=goal.id, data=GoalMove(position=0))
        assert session.exec(select(GoalEvent)).all()[0].user_id == 3
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(Goal)).all() == [] and session.exec(select(GoalEvent)).all() == []
