"""Goals through the goals service's HTTP API: levels, periods, surfaces, KPI links, reads with progress."""

from __future__ import annotations

import pytest

from kit.roles import Role
from kit.testing import auth, check_contract, problem
from services.goals.tests.support import GOALS, Api

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


# --- create and levels ------------------------------------------------------------------------------


def test_create_the_three_levels_and_read_them_back(api):
    goal, means, tactic = api.chain()
    assert goal["level"] == "strategic_goal" and goal["parent_id"] is None and goal["weight"] == 1
    assert means["parent_id"] == goal["id"] and tactic["parent_id"] == means["id"]
    assert tactic["surface_ids"] and goal["surface_ids"] == []
    assert goal["progress"] is None and goal["status"] == "not_measured"
    detail = api.get(f"{GOALS}/{tactic['id']}").json()
    assert [a["id"] for a in detail["ancestors"]] == [goal["id"], means["id"]]
    assert api.get(f"{GOALS}/{goal['id']}").json()["children"][0]["id"] == means["id"]
    assert api.get(f"{GOALS}/{goal['id']}").json()["child_count"] == 1


@pytest.mark.parametrize(
    "level, parent, field",
    [
        ("strategic_goal", "goal", "parent_id"),  # a strategic goal is a root
        ("strategic_means", None, "parent_id"),  # a strategic means needs a strategic goal
        ("strategic_means", "means", "parent_id"),
        ("tactical_means", "goal", "parent_id"),  # a tactical means needs a strategic means
        ("tactical_means", "tactic", "parent_id"),
        ("strategic_means", "missing", "parent_id"),
        ("galaxy", None, "level"),
    ],
)
def test_wrong_level_is_422_and_changes_nothing(api, level, parent, field):
    goal, means, tactic = api.chain()
    parent_id = {"goal": goal["id"], "means": means["id"], "tactic": tactic["id"], "missing": 999_999, None: None}[
        parent
    ]
    before = api.count()
    extra = {"surface_ids": tactic["surface_ids"]} if level == "tactical_means" else {}
    problem(api.post(GOALS, {"title": "X", "level": level, "parent_id": parent_id, **extra}), 422, field)
    assert api.count() == before


def test_foreign_parent_is_422_like_a_missing_one(client, api):
    other = Api(client, workspace_id=2)
    theirs = other.goal("Theirs", "strategic_goal")
    problem(api.post(GOALS, {"title": "X", "level": "strategic_means", "parent_id": theirs["id"]}), 422, "parent_id")


def test_a_tactical_means_needs_an_active_surface_of_the_workspace(client, api):
    goal, means, tactic = api.chain()
    base = {"title": "T", "level": "tactical_means", "parent_id": means["id"]}
    problem(api.post(GOALS, base), 422, "surface_ids")
    problem(api.post(GOALS, {**base, "surface_ids": []}), 422, "surface_ids")
    problem(api.post(GOALS, {**base, "surface_ids": [999_999]}), 422, "surface_ids")
    foreign = Api(client, workspace_id=2).surface("Theirs")
    body = problem(api.post(GOALS, {**base, "surface_ids": [tactic["surface_ids"][0], foreign]}), 422, "surface_ids")
    assert str(foreign) in body["detail"]
    archived = api.surface("Old site")
    api.post(f"/api/v1/surfaces/{archived}/archive")
    problem(api.post(GOALS, {**base, "surface_ids": [archived]}), 422, "surface_ids")
    assert api.count() == 3


def test_surfaces_are_refused_on_other_levels(api):
    sid = api.surface()
    problem(api.post(GOALS, {"title": "G", "level": "strategic_goal", "surface_ids": [sid]}), 422, "surface_ids")
    goal = api.goal("G", "strategic_goal")
    problem(api.patch(f"{GOALS}/{goal['id']}", {"surface_ids": [sid]}), 422, "surface_ids")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 5001}, "description"),
        ({"weight": -1}, "weight"),
        ({"weight": "heavy"}, "weight"),
        ({"period_from": "2026-13-01"}, "period_from"),
        ({"period_to": "soon"}, "period_to"),
        ({"period_from": "2026-06-01", "period_to": "2026-05-31"}, "period_to"),
        ({"position": -1}, "position"),
        ({"owner_id": "me"}, "owner_id"),
    ],
)
def test_bad_fields_are_422_naming_the_field(api, body, field):
    problem(api.post(GOALS, {"title": "G", "level": "strategic_goal", **body}), 422, field)
    assert api.count() == 0


def test_period_to_on_the_same_day_is_fine_and_patch_checks_the_merged_period(api):
    goal = api.goal("G", "strategic_goal", period_from="2026-01-01", period_to="2026-01-01")
    problem(api.patch(f"{GOALS}/{goal['id']}", {"period_from": "2026-02-01"}), 422, "period_to")
    assert api.patch(f"{GOALS}/{goal['id']}", {"period_to": None, "period_from": "2026-02-01"}).status_code == 200


# --- patch -------------------------------------------------------------------------------------------


def test_patch_changes_what_was_sent(api):
    goal = api.goal("G", "strategic_goal", description="why", owner_id=7)
    resp = api.patch(f"{GOALS}/{goal['id']}", {"title": " Grow ", "weight": 2.5})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["title"] == "Grow" and body["weight"] == 2.5 and body["description"] == "why" and body["owner_id"] == 7


@pytest.mark.parametrize("field", ["title", "weight", "position", "surface_ids", "kpis", "level"])
def test_patch_cannot_null_a_required_field(api, field):
    goal = api.goal("G", "strategic_goal")
    problem(api.patch(f"{GOALS}/{goal['id']}", {field: None}), 422, field)


def test_the_level_is_fixed_by_the_place_in_the_tree(api):
    goal = api.goal("G", "strategic_goal")
    assert api.patch(f"{GOALS}/{goal['id']}", {"level": "strategic_goal"}).status_code == 200
    problem(api.patch(f"{GOALS}/{goal['id']}", {"level": "strategic_means"}), 422, "level")


def test_patch_replaces_the_surfaces_of_a_tactical_means(api):
    _, _, tactic = api.chain()
    shop = api.surface("Shop", "web_shop")
    resp = api.patch(f"{GOALS}/{tactic['id']}", {"surface_ids": [shop, shop]})
    assert resp.json()["surface_ids"] == [shop]
    problem(api.patch(f"{GOALS}/{tactic['id']}", {"surface_ids": []}), 422, "surface_ids")
    assert api.get(f"{GOALS}/{tactic['id']}").json()["surface_ids"] == [shop]


# --- KPI links ---------------------------------------------------------------------------------------


def test_link_kpis_with_weights_and_read_their_progress(api, metrics):
    metrics.add(1, 11, name="Visits", baseline_value=100, target=200, actual=150)
    metrics.add(1, 12, name="Complaints", direction="lower_is_better", baseline_value=40, target=20, actual=20)
    goal = api.goal("G", "strategic_goal", kpis=[{"kpi_id": 11, "weight": 1}, {"kpi_id": 12, "weight": 3}])
    kpis = {k["kpi_id"]: k for k in goal["kpis"]}
    assert kpis[11]["name"] == "Visits" and kpis[11]["attainment"] == 0.5 and kpis[11]["status"] == "off_track"
    assert kpis[12]["attainment"] == 1 and kpis[12]["status"] == "on_track" and kpis[12]["weight"] == 3
    assert goal["progress"] == pytest.approx(0.875) and goal["status"] == "off_track"


def test_a_kpi_metrics_does_not_return_is_422_naming_its_index(api, metrics):
    metrics.add(1, 11)
    metrics.add(2, 21)  # another workspace's KPI
    body = problem(
        api.post(
            GOALS, {"title": "G", "level": "strategic_goal", "kpis": [{"kpi_id": 11}, {"kpi_id": 21}, {"kpi_id": 99}]}
        ),
        422,
        "kpis.1.kpi_id",
    )
    assert "kpis.2.kpi_id" in [e["field"] for e in body["errors"]]
    assert "kpis.0.kpi_id" not in [e["field"] for e in body["errors"]]
    assert api.count() == 0
    goal = api.goal("G", "strategic_goal")
    problem(api.post(f"{GOALS}/{goal['id']}/kpis", {"kpi_id": 21}), 422, "kpi_id")
    problem(api.patch(f"{GOALS}/{goal['id']}", {"kpis": [{"kpi_id": 21}]}), 422, "kpis.0.kpi_id")
    assert api.get(f"{GOALS}/{goal['id']}").json()["kpis"] == []


def test_the_same_kpi_twice_is_422(api, metrics):
    metrics.add(1, 11)
    problem(
        api.post(GOALS, {"title": "G", "level": "strategic_goal", "kpis": [{"kpi_id": 11}, {"kpi_id": 11}]}),
        422,
        "kpis",
    )


def test_link_relink_and_unlink_one_kpi(api, metrics):
    metrics.add(1, 11)
    goal = api.goal("G", "strategic_goal")
    assert api.post(f"{GOALS}/{goal['id']}/kpis", {"kpi_id": 11}).json()["kpis"][0]["weight"] == 1
    assert api.post(f"{GOALS}/{goal['id']}/kpis", {"kpi_id": 11, "weight": 0}).json()["kpis"][0]["weight"] == 0
    assert api.delete(f"{GOALS}/{goal['id']}/kpis/11").json()["kpis"] == []
    problem(api.delete(f"{GOALS}/{goal['id']}/kpis/11"), 404)


def test_metrics_down_reads_answer_not_measured_and_link_changes_are_503(api, metrics):
    metrics.add(1, 11, baseline_value=0, target=10, actual=10)
    goal = api.goal("G", "strategic_goal", kpis=[{"kpi_id": 11}])
    assert goal["status"] == "on_track"
    metrics.down = True
    for body in (api.get(f"{GOALS}/{goal['id']}").json(), api.get(GOALS).json()["data"][0]):
        assert body["status"] == "not_measured" and body["progress"] is None and body["kpis_unavailable"] is True
        assert body["kpis"][0]["found"] is False
    assert api.get(GOALS).json()["kpis_unavailable"] is True
    assert api.get(f"{GOALS}/tree").json()["kpis_unavailable"] is True
    metrics.add(1, 12)
    problem(api.post(f"{GOALS}/{goal['id']}/kpis", {"kpi_id": 12}), 503)
    problem(api.patch(f"{GOALS}/{goal['id']}", {"kpis": [{"kpi_id": 11}, {"kpi_id": 12}]}), 503)
    problem(api.post(GOALS, {"title": "H", "level": "strategic_goal", "kpis": [{"kpi_id": 12}]}), 503)
    # changes that need no check still work: a weight, an unlink, a title
    assert api.patch(f"{GOALS}/{goal['id']}", {"kpis": [{"kpi_id": 11, "weight": 2}], "title": "G2"}).status_code == 200
    assert api.delete(f"{GOALS}/{goal['id']}/kpis/11").status_code == 200
    metrics.down = False
    assert api.count() == 1


def test_a_linked_kpi_that_metrics_no_longer_returns_is_not_measured(api, metrics):
    metrics.add(1, 11, baseline_value=0, target=10, actual=10)
    goal = api.goal("G", "strategic_goal", kpis=[{"kpi_id": 11}])
    del metrics.kpis[1][11]
    body = api.get(f"{GOALS}/{goal['id']}").json()
    assert body["kpis"][0]["found"] is False and body["status"] == "not_measured" and body["kpis_unavailable"] is False


# --- roll-up through the tree ------------------------------------------------------------------------


def test_progress_rolls_up_with_weights_and_zero_weights_and_empty_subtrees(api, metrics):
    metrics.add(1, 1, baseline_value=0, target=100, actual=100)  # 1.0 on_track
    metrics.add(1, 2, baseline_value=0, target=100, actual=50)  # 0.5 off_track
    metrics.add(1, 3, baseline_value=0, target=100)  # not measured
    goal, means, tactic = api.chain()
    api.patch(f"{GOALS}/{tactic['id']}", {"kpis": [{"kpi_id": 1, "weight": 1}, {"kpi_id": 2, "weight": 1}]})
    empty = api.goal("Empty", "strategic_means", goal["id"], weight=5)  # nothing measured: does not count
    zero = api.goal("Zero", "strategic_means", goal["id"], weight=0)
    api.goal("Z", "tactical_means", zero["id"], surface_ids=tactic["surface_ids"], kpis=[{"kpi_id": 2}])
    api.patch(f"{GOALS}/{means['id']}", {"kpis": [{"kpi_id": 3, "weight": 10}]})
    tree = api.get(f"{GOALS}/tree").json()
    root = tree["data"][0]
    by_id = {c["id"]: c for c in root["children"]}
    assert by_id[means["id"]]["progress"] == 0.75 and by_id[means["id"]]["status"] == "off_track"
    assert by_id[empty["id"]]["progress"] is None and by_id[empty["id"]]["status"] == "not_measured"
    assert by_id[zero["id"]]["progress"] == 0.5
    assert root["progress"] == 0.75 and root["status"] == "off_track"  # zero and empty count for nothing
    api.patch(f"{GOALS}/{means['id']}", {"weight": 0})
    root = api.get(f"{GOALS}/tree").json()["data"][0]
    assert root["progress"] is None and root["status"] == "not_measured"  # all measured weights are 0


def test_an_empty_tree_and_an_empty_goal_are_not_measured(api):
    assert api.get(f"{GOALS}/tree").json() == {"data": [], "count": 0, "kpis_unavailable": False}
    goal = api.goal("G", "strategic_goal")
    assert goal["progress"] is None and goal["status"] == "not_measured"


# --- list ----------------------------------------------------------------------------------------------


def test_list_filters_and_sorts(api, metrics):
    goal, means, tactic = api.chain()
    shop = api.surface("Shop", "web_shop")
    other = api.goal("Self-service", "strategic_means", goal["id"])
    api.goal("Checkout", "tactical_means", other["id"], surface_ids=[shop])

    def titles(**params):
        resp = api.get(GOALS, params=params)
        assert resp.status_code == 200, resp.text
        return [g["title"] for g in resp.json()["data"]]

    assert titles() == ["Increase revenue", "Customer satisfaction", "Self-service", "Answer within 4 h", "Checkout"]
    assert titles(level="strategic_means") == ["Customer satisfaction", "Self-service"]
    assert titles(parent_id=other["id"]) == ["Checkout"]
    assert titles(surface_id=shop) == ["Checkout"]
    assert titles(q="SERVICE") == ["Self-service"]
    assert titles(q="%") == []
    assert titles(sort="-title", limit=2) == ["Self-service", "Increase revenue"]
    body = api.get(GOALS, params={"limit": 2, "offset": 4}).json()
    assert body["count"] == 5 and len(body["data"]) == 1 and body["kpis_unavailable"] is False
    problem(api.get(GOALS, params={"sort": "secret"}), 422, "sort")
    problem(api.get(GOALS, params={"level": "x"}), 422, "level")
    item = api.get(GOALS, params={"level": "strategic_goal"}).json()["data"][0]
    assert item["child_count"] == 2 and item["surface_ids"] == [] and item["kpis"] == [] and "progress" in item


# --- roles and workspaces ------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0, 1, 2], ids=["strategic_goal", "strategic_means", "tactical_means"])
def test_goals_keep_the_scoping_contract(client, api, level):
    path = f"{GOALS}/{api.chain()[level]['id']}"
    check_contract(
        client,
        path,
        creates=[("POST", GOALS, {"title": "G", "level": "strategic_goal"})],
        writes=[
            ("PATCH", path, {"title": "stolen"}),
            ("POST", f"{path}/move", {"position": 0}),
            ("POST", f"{path}/archive"),
            ("POST", f"{path}/restore"),
            ("POST", f"{path}/kpis", {"kpi_id": 1}),
            ("DELETE", f"{path}/kpis/1"),
        ],
        owner=auth(),
        viewer=auth(Role.viewer),
        foreign=auth(workspace_id=2),
        missing=f"{GOALS}/999999",
    )


def test_viewer_reads_the_tree(client, api):
    api.chain()
    assert Api(client, role=Role.viewer).get(f"{GOALS}/tree").json()["count"] == 3


def test_another_workspace_sees_nothing_and_gets_404_on_the_history(client, api):
    goal, means, tactic = api.chain()
    other = Api(client, workspace_id=2)
    assert other.get(f"{GOALS}/tree").json()["count"] == 0 and other.count() == 0
    for gid in (goal["id"], means["id"], tactic["id"]):
        problem(other.get(f"{GOALS}/{gid}/history"), 404)


def test_no_identity_is_401(client):
    problem(client.get(f"{GOALS}/tree"), 401)
    problem(client.get(GOALS), 401)


# --- out-of-range numbers are 422, never an overflow in the driver -------------------------------------

BIG = 2**63


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", f"{GOALS}?offset={BIG}", None),
        ("get", f"{GOALS}?parent_id={BIG}", None),
        ("get", f"{GOALS}?surface_id={BIG}", None),
        ("get", f"{GOALS}/{BIG}", None),
        ("get", f"{GOALS}/{BIG}/history", None),
        ("delete", f"{GOALS}/1/kpis/{BIG}", None),
        ("post", GOALS, {"title": "G", "level": "strategic_goal", "owner_id": BIG}),
        ("post", GOALS, {"title": "G", "level": "strategic_means", "parent_id": BIG}),
        ("post", GOALS, {"title": "G", "level": "strategic_goal", "position": BIG}),
        ("post", GOALS, {"title": "G", "level": "strategic_goal", "weight": 1e308}),
        ("post", GOALS, {"title": "G", "level": "strategic_goal", "kpis": [{"kpi_id": BIG}]}),
        ("post", GOALS, {"title": "G", "level": "strategic_goal", "kpis": [{"kpi_id": 1, "weight": 1e308}]}),
        ("post", GOALS, {"title": "G", "level": "tactical_means", "parent_id": 1, "surface_ids": [BIG]}),
        ("post", f"{GOALS}/1/move", {"parent_id": BIG}),
        ("post", f"{GOALS}/templates/digital-strategy/instantiate", {"surface_bindings": {"revenue": [BIG]}}),
    ],
)
def test_numbers_out_of_range_are_422(api, method, path, body):
    resp = api.post(path, body) if method == "post" else getattr(api, method)(path)
    problem(resp, 422)
    assert api.count() == 0
