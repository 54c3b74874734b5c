"""Strategy templates (built-in, saved, instantiated) and the demo strategy."""

from __future__ import annotations

import pytest

from kit.roles import Role
from kit.testing import auth, check_contract, problem
from services.goals.tests.support import GOALS, Api

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
TEMPLATES = f"{GOALS}/templates"


def walk(nodes):
    for node in nodes:
        yield node
        yield from walk(node["children"])


def test_the_builtin_digital_strategy_follows_the_seed(api):
    body = api.get(TEMPLATES).json()
    assert body["count"] == 1
    template = body["data"][0]
    assert template["key"] == "digital-strategy" and template["builtin"] is True and template["owner_id"] is None
    assert [n["title"] for n in template["nodes"]] == ["Increase revenue", "Reduce costs"]
    means = [n["title"] for n in walk(template["nodes"]) if n["level"] == "strategic_means"]
    assert means == ["Build the brand", "Raise customer satisfaction", "Let customers serve themselves"]
    kinds = {k for n in walk(template["nodes"]) for k in n["surface_kinds"]}
    assert kinds == {"website", "social_media", "customer_portal", "newsletter", "intranet", "app", "web_shop"}
    suggested = {k for n in walk(template["nodes"]) for k in n["suggested_kpis"]}
    assert {
        "organic visits",
        "conversion rate",
        "answer complaints within 4 h",
        "self-service share",
        "click rate",
        "findability score",
        "monthly active users",
        "revenue",
        "cart abandonment",
    } <= suggested
    assert api.get(f"{TEMPLATES}/digital-strategy").json() == template


def test_instantiate_binds_each_tactical_means_to_the_surfaces_of_its_kind(api):
    web, blog = api.surface("Web", "website"), api.surface("Blog", "website")
    shop = api.surface("Shop", "web_shop")
    api.goal("Existing", "strategic_goal")
    resp = api.post(f"{TEMPLATES}/digital-strategy/instantiate", {})
    assert resp.status_code == 201, resp.text
    result = resp.json()
    created = {c["node_key"]: c for c in result["created"]}
    assert created["revenue.brand.website"]["surface_ids"] == [web, blog]
    assert created["revenue.satisfaction.shop"]["surface_ids"] == [shop]
    assert created["revenue.satisfaction.shop"]["suggested_kpis"] == ["revenue", "cart abandonment"]
    skipped = {s["node_key"]: s for s in result["skipped"]}
    assert set(skipped) == {
        "revenue.brand.social",
        "revenue.brand.newsletter",
        "revenue.satisfaction.social",
        "revenue.satisfaction.app",
        "costs.selfservice.portal",
        "costs.selfservice.intranet",
    }
    assert skipped["revenue.brand.newsletter"]["reason"] == "no active surface of its kind"
    tree = api.get(f"{GOALS}/tree").json()
    assert [n["title"] for n in tree["data"]] == ["Existing", "Increase revenue", "Reduce costs"]
    assert tree["count"] == 1 + len(result["created"])


def test_instantiate_with_explicit_bindings(api):
    web = api.surface("Web", "website")
    fb = api.surface("Facebook", "social_media")
    bindings = {"revenue.brand.website": [], "revenue.satisfaction.app": [fb], "costs.selfservice.website": [web, web]}
    result = api.post(f"{TEMPLATES}/digital-strategy/instantiate", {"surface_bindings": bindings}).json()
    created = {c["node_key"]: c["surface_ids"] for c in result["created"]}
    assert "revenue.brand.website" not in created  # an empty binding skips it
    assert created["revenue.satisfaction.app"] == [fb] and created["costs.selfservice.website"] == [web]
    assert {s["node_key"]: s["reason"] for s in result["skipped"]}["revenue.brand.website"] == "bound to no surface"


@pytest.mark.parametrize(
    "bindings, field",
    [
        ({"nope": [1]}, "surface_bindings.nope"),
        ({"revenue": [1]}, "surface_bindings.revenue"),
        ({"revenue.brand.website": [999_999]}, "surface_bindings.revenue.brand.website"),
        ({"revenue.brand.website": ["x"]}, "surface_bindings.revenue.brand.website.0"),
    ],
)
def test_bad_bindings_are_422_and_create_nothing(api, bindings, field):
    api.surface()
    problem(api.post(f"{TEMPLATES}/digital-strategy/instantiate", {"surface_bindings": bindings}), 422, field)
    assert api.count() == 0


def test_a_foreign_surface_cannot_be_bound(client, api):
    theirs = Api(client, workspace_id=2).surface()
    problem(
        api.post(
            f"{TEMPLATES}/digital-strategy/instantiate", {"surface_bindings": {"revenue.brand.website": [theirs]}}
        ),
        422,
        "surface_bindings.revenue.brand.website",
    )


def test_save_the_tree_as_a_template_and_build_it_elsewhere(client, api, metrics):
    metrics.add(1, 7, name="Complaints answered in 4 h")
    sid = api.surface("Facebook", "social_media")
    goal, means, tactic = api.chain(sid)
    api.patch(f"{GOALS}/{tactic['id']}", {"kpis": [{"kpi_id": 7}], "description": "fast", "weight": 2})
    archived = api.goal("Old", "strategic_goal")
    api.post(f"{GOALS}/{archived['id']}/archive")
    resp = api.post(TEMPLATES, {"name": " Our strategy ", "description": "2026"})
    assert resp.status_code == 201, resp.text
    saved = resp.json()
    assert saved["name"] == "Our strategy" and saved["builtin"] is False and saved["owner_id"] == 1
    assert [n["title"] for n in saved["nodes"]] == ["Increase revenue"]  # the active tree only
    leaf = saved["nodes"][0]["children"][0]["children"][0]
    assert leaf == {
        "key": "1.1.1",
        "title": "Answer within 4 h",
        "level": "tactical_means",
        "description": "fast",
        "weight": 2.0,
        "surface_kinds": ["social_media"],
        "suggested_kpis": ["Complaints answered in 4 h"],
        "children": [],
    }
    assert [t["key"] for t in api.get(TEMPLATES).json()["data"]] == ["digital-strategy", saved["key"]]
    # the same user in another workspace (an agency's other client) builds it there
    elsewhere = Api(client, workspace_id=2, user_id=1)
    their_fb = elsewhere.surface("Facebook", "social_media")
    result = elsewhere.post(f"{TEMPLATES}/{saved['key']}/instantiate", {}).json()
    assert [c["node_key"] for c in result["created"]] == ["1", "1.1", "1.1.1"] and result["skipped"] == []
    assert result["created"][2]["surface_ids"] == [their_fb]
    assert elsewhere.get(f"{GOALS}/tree").json()["count"] == 3


def test_saved_templates_keep_the_scoping_contract(client, api):
    """A saved template is its user's: another user of the same workspace gets a 404, as for one that is not."""
    api.goal("G", "strategic_goal")
    path = f"{TEMPLATES}/{api.post(TEMPLATES, {'name': 'Mine'}).json()['key']}"
    check_contract(
        client,
        path,
        creates=[("POST", TEMPLATES, {"name": "Copy"})],
        writes=[("POST", f"{path}/instantiate", {})],
        owner=auth(),
        viewer=auth(Role.viewer),
        foreign=auth(user_id=2),
        missing=f"{TEMPLATES}/999999",
    )


def test_another_users_template_is_404(client, api):
    api.goal("G", "strategic_goal")
    key = api.post(TEMPLATES, {"name": "Mine"}).json()["key"]
    stranger = Api(client, workspace_id=1, user_id=2)
    problem(stranger.get(f"{TEMPLATES}/{key}"), 404)
    problem(stranger.post(f"{TEMPLATES}/{key}/instantiate", {}), 404)
    assert [t["key"] for t in stranger.get(TEMPLATES).json()["data"]] == ["digital-strategy"]
    for missing in ("999999", "nope", "99999999999999999999"):
        problem(api.get(f"{TEMPLATES}/{missing}"), 404)


def test_saving_needs_a_tree_a_name_and_metrics_for_kpi_names(api, metrics):
    problem(api.post(TEMPLATES, {"name": "Empty"}), 422)
    goal = api.goal("G", "strategic_goal")
    problem(api.post(TEMPLATES, {"name": " "}), 422, "name")
    metrics.add(1, 3)
    api.patch(f"{GOALS}/{goal['id']}", {"kpis": [{"kpi_id": 3}]})
    metrics.down = True
    problem(api.post(TEMPLATES, {"name": "T"}), 503)
    metrics.down = False
    assert api.get(TEMPLATES).json()["count"] == 1
