"""The API contract on the goals service's bodies: unknown fields refused, nullable only where null is taken,
ids of other owners (members, by the gateway) checked, lists with next, writes with ETags."""

from __future__ import annotations

from kit.testing import problem
from services.goals.tests.support import GOALS, SURFACES


def test_unknown_fields_are_refused_by_name(api):
    sid = api.surface()
    problem(
        api.post(SURFACES, {"name": "x", "kind": "website", "period_start": "2026-01-01", "cadance": "x"}),
        422,
        "cadance",
    )
    problem(api.patch(f"{SURFACES}/{sid}", {"nmae": "x"}), 422, "nmae")
    problem(api.post(GOALS, {"title": "Grow", "level": "strategic_goal", "wieght": 2}), 422, "wieght")


def test_fields_that_cannot_be_null_are_not_nullable(api):
    sid = api.surface()
    goal = api.goal("Grow", "strategic_goal")
    for field in ("name", "kind", "cadence", "period_start"):
        problem(api.patch(f"{SURFACES}/{sid}", {field: None}), 422, field)
    for field in ("title", "weight", "level", "position", "surface_ids", "kpis"):
        problem(api.patch(f"{GOALS}/{goal['id']}", {field: None}), 422, field)
    assert api.patch(f"{GOALS}/{goal['id']}", {"description": None, "owner_id": None}).status_code == 200
    assert api.patch(f"{SURFACES}/{sid}", {"url": None, "owner_id": None}).status_code == 200
    doc = api.c.get("/openapi.json").json()["components"]["schemas"]
    assert doc["GoalUpdate"]["properties"]["weight"].get("type") == "number"  # no anyOf with null
    assert doc["SurfaceUpdate"]["properties"]["cadence"] == {"$ref": "#/components/schemas/Cadence"}


def test_an_owner_who_is_no_member_is_refused(api, metrics):
    metrics.outsiders.add(99)
    problem(
        api.post(SURFACES, {"name": "x", "kind": "website", "period_start": "2026-01-01", "owner_id": 99}),
        422,
        "owner_id",
    )
    problem(api.post(GOALS, {"title": "Grow", "level": "strategic_goal", "owner_id": 99}), 422, "owner_id")
    goal = api.goal("Grow", "strategic_goal", owner_id=7)
    problem(api.patch(f"{GOALS}/{goal['id']}", {"owner_id": 99}), 422, "owner_id")
    assert metrics.calls[-1] == {"service": "gateway", "path": "/members/99", "params": None}
    metrics.down = True
    problem(api.post(GOALS, {"title": "Other", "level": "strategic_goal", "owner_id": 7}), 503)
    assert api.get(GOALS).json()["count"] == 1  # nothing stored on a guess


def test_lists_link_the_next_page_and_sort_values_are_listed(api):
    for name in ("A", "B", "C"):
        api.surface(name)
    page = api.get(SURFACES, params={"limit": 2, "sort": "-name"})
    assert page.json()["next"] == f"{SURFACES}?sort=-name&limit=2&offset=2"
    assert page.headers["link"] == f'<{SURFACES}?sort=-name&limit=2&offset=2>; rel="next"'
    problem(api.get(SURFACES, params={"sort": "colour"}), 422, "sort")
    problem(api.get(SURFACES, params={"archived": "maybe"}), 422, "archived")
    assert api.get(SURFACES, params={"archived": "all"}).json()["count"] == 3


def test_writes_honour_if_match(api):
    sid = api.surface()
    tag = api.get(f"{SURFACES}/{sid}").headers["etag"]
    ok = api.c.patch(f"{SURFACES}/{sid}", json={"name": "Site"}, headers={**api.headers, "If-Match": tag})
    assert ok.status_code == 200
    stale = api.c.patch(f"{SURFACES}/{sid}", json={"name": "Old"}, headers={**api.headers, "If-Match": tag})
    problem(stale, 412)
    assert api.get(f"{SURFACES}/{sid}").json()["name"] == "Site"
