"""Workflows through the gateway with API tokens: a tool starts a run; isolation, roles, membership."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.workflow_support import add_members, blog_roles


@pytest.fixture
def people(account):
    return add_members(account, ["Anna", "Ben", "Cara", "Dan"])


def start(client, account, people, publish: date | None = None):
    wf = client.post("/api/v1/workflows/builtins/blog-post", json={"language": "en"}, headers=account.headers())
    assert wf.status_code == 201, wf.text
    publish = publish or date.today() + timedelta(days=30)
    body = {"template_id": wf.json()["id"], "anchors": {"publish": publish.isoformat()}, "roles": blog_roles(people)}
    run = client.post("/api/v1/workflow-runs", json=body, headers=account.headers())
    assert run.status_code == 201, run.text
    return wf.json(), run.json()


def test_a_tool_with_a_token_starts_a_run_and_the_work_is_handed_on(client, account, people):
    wf, run = start(client, account, people)
    assert len(run["tasks"]) == 8 and run["tasks"][0]["state"] == "open"
    assert run["tasks"][0]["owner_id"] == people["Anna"].user_id and run["holders"] == [people["Anna"].user_id]
    mine = client.get("/api/v1/my-work", headers=people["Anna"].headers()).json()
    assert [i["task"]["step_key"] for b in ("overdue", "due_today", "this_week", "later") for i in mine[b]] == ["idea"]
    idea = run["tasks"][0]["id"]
    r = client.post(f"/api/v1/tasks/{idea}/complete", headers=people["Anna"].headers())
    assert r.status_code == 200 and r.json()["state"] == "done"
    ben = client.get("/api/v1/my-work", headers=people["Ben"].headers()).json()
    keys = [i["task"]["step_key"] for b in ("overdue", "due_today", "this_week", "later") for i in ben[b]]
    assert keys == ["keywords"]
    events = client.get("/api/v1/task-events", headers=people["Ben"].headers()).json()
    assert [e["kind"] for e in events["data"]] == ["assigned"]
    listed = client.get("/api/v1/workflow-runs", params={"owner_id": people["Ben"].user_id}, headers=account.headers())
    assert listed.json()["count"] == 1
    assert client.get("/api/v1/workflow-runs", params={"late": "true"}, headers=account.headers()).json()["count"] == 0


def test_another_workspace_gets_404_on_every_id(client, account, other_account, people):
    wf, run = start(client, account, people)
    task = run["tasks"][0]["id"]
    foreign = other_account.headers()
    for method, path, body in [
        ("get", f"/api/v1/workflows/{wf['id']}", None),
        ("patch", f"/api/v1/workflows/{wf['id']}", {"name": "stolen"}),
        ("post", f"/api/v1/workflows/{wf['id']}/preview", {"anchors": {"publish": "2026-06-26"}}),
        ("get", f"/api/v1/workflows/{wf['id']}/retrospective", None),
        ("get", f"/api/v1/workflow-runs/{run['id']}", None),
        ("put", f"/api/v1/workflow-runs/{run['id']}/roles/seo", {"user_id": other_account.user_id}),
        ("post", f"/api/v1/workflow-runs/{run['id']}/notes", {"cause": "wrong_owner", "body": "x"}),
        ("post", f"/api/v1/workflow-runs/{run['id']}/proposals/1", {"accept": True}),
        ("get", f"/api/v1/tasks/{task}", None),
        ("patch", f"/api/v1/tasks/{task}", {"due_on": "2026-01-01"}),
        ("post", f"/api/v1/tasks/{task}/complete", None),
        ("post", f"/api/v1/tasks/{task}/comments", {"body": "hi"}),
    ]:
        kw = {"json": body} if body is not None else {}
        r = client.request(method.upper(), path, headers=foreign, **kw)
        assert r.status_code == 404, (path, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    body = {"template_id": wf["id"], "anchors": {"publish": "2026-06-26"}, "roles": {}}
    refused = client.post("/api/v1/workflow-runs", json=body, headers=foreign)  # an id in a body: 422 naming it
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["template_id"]
    assert client.get("/api/v1/my-work", headers=foreign).json()["later"] == []


def test_viewers_cannot_write(client, account, people):
    wf, run = start(client, account, people)
    viewer = add_members(account, ["Vera"], role="viewer")["Vera"]
    task = run["tasks"][0]["id"]
    assert client.get(f"/api/v1/workflow-runs/{run['id']}", headers=viewer.headers()).status_code == 200
    for method, path, body in [
        ("post", "/api/v1/workflows/builtins/newsletter", {}),
        ("post", "/api/v1/workflow-runs", {"template_id": wf["id"], "anchors": {"publish": "2026-06-26"}}),
        ("post", f"/api/v1/tasks/{task}/complete", None),
        ("post", f"/api/v1/tasks/{task}/send-back", {"comment": "no"}),
        ("put", f"/api/v1/workflow-runs/{run['id']}/roles/seo", {"user_id": viewer.user_id}),
    ]:
        r = client.request(method.upper(), path, headers=viewer.headers(), json=body)
        assert r.status_code == 403, (path, r.text)


def test_a_member_of_another_workspace_cannot_be_bound_to_a_role(client, account, other_account, people):
    wf = client.post("/api/v1/workflows/builtins/blog-post", json={}, headers=account.headers()).json()
    roles = {**blog_roles(people), "seo": other_account.user_id}
    body = {"template_id": wf["id"], "anchors": {"publish": "2026-06-26"}, "roles": roles}
    r = client.post("/api/v1/workflow-runs", json=body, headers=account.headers())
    support_problem = r.json()
    assert r.status_code == 422 and "roles.seo" in [e["field"] for e in support_problem["errors"]]
    _, run = start(client, account, people)
    r = client.put(
        f"/api/v1/workflow-runs/{run['id']}/roles/seo",
        json={"user_id": other_account.user_id},
        headers=account.headers(),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "user_id"


def test_a_run_links_only_an_action_and_a_surface_of_its_own_workspace(client, account, other_account, people):
    wf = client.post("/api/v1/workflows/builtins/blog-post", json={}, headers=account.headers()).json()
    base = {"template_id": wf["id"], "anchors": {"publish": "2026-06-26"}, "roles": blog_roles(people)}

    def made(path: str, body: dict, who) -> int:
        r = client.post(path, json=body, headers=who.headers())
        assert r.status_code == 201, r.text
        return r.json()["id"]

    surface = {"name": "Blog", "kind": "website", "period_start": "2026-01-01"}
    theirs = {
        "action_id": made("/api/v1/actions", {"title": "Their post"}, other_account),
        "surface_id": made("/api/v1/surfaces", surface, other_account),
    }
    for field, foreign_id in theirs.items():
        r = client.post("/api/v1/workflow-runs", json={**base, field: foreign_id}, headers=account.headers())
        assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == [field], r.text
    assert client.get("/api/v1/workflow-runs", headers=account.headers()).json()["count"] == 0
    mine = {
        "action_id": made("/api/v1/actions", {"title": "Our post"}, account),
        "surface_id": made("/api/v1/surfaces", surface, account),
    }
    r = client.post("/api/v1/workflow-runs", json={**base, **mine}, headers=account.headers())
    assert r.status_code == 201 and {k: r.json()[k] for k in mine} == mine
    listed = client.get("/api/v1/workflow-runs", params={"surface_id": mine["surface_id"]}, headers=account.headers())
    assert listed.json()["count"] == 1
