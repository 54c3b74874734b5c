"""Effekt's own work as KPI data through the live stack: the time log and the activity sources are scoped by
token (another workspace gets 404 on every id, in the path or the body), viewers read but cannot write; a
feedback item an action names must be the caller's."""

from __future__ import annotations

from datetime import date, timedelta

from tests import support
from tests.test_workflows_api import start
from tests.workflow_support import add_members

KPI = {"name": "Articles published", "unit": "number", "aggregation": "sum", "category": "activity"}


def test_time_log_and_activity_sources_are_scoped(client, account, other_account):
    people = add_members(account, ["Anna", "Ben", "Cara", "Dan"])
    workflow, run = start(client, account, people, publish=date.today() + timedelta(days=30))
    task = run["tasks"][0]
    mine, theirs, viewer = account.headers(), other_account.headers(), support.viewer_headers(account)
    logged = client.post(f"/api/v1/tasks/{task['id']}/time", json={"hours": 1.5}, headers=mine)
    assert logged.status_code == 201, logged.text
    kpi = client.post("/api/v1/kpis", json=KPI, headers=mine).json()
    source = {"measure": "runs_finished", "template_id": workflow["id"]}
    assert client.put(f"/api/v1/activity/kpis/{kpi['id']}", json=source, headers=mine).status_code == 200
    for method, path, body in [
        ("GET", f"/api/v1/tasks/{task['id']}/time", None),
        ("POST", f"/api/v1/tasks/{task['id']}/time", {"hours": 1}),
        ("DELETE", f"/api/v1/tasks/{task['id']}/time/{logged.json()['id']}", None),
        ("GET", f"/api/v1/activity/kpis/{kpi['id']}", None),
        ("PUT", f"/api/v1/activity/kpis/{kpi['id']}", {"measure": "tasks_done"}),
        ("DELETE", f"/api/v1/activity/kpis/{kpi['id']}", None),
    ]:
        resp = client.request(method, path, json=body, headers=theirs)
        assert resp.status_code == 404, (method, path, resp.text)
        if method != "GET":
            assert client.request(method, path, json=body, headers=viewer).status_code == 403, (method, path)
    assert client.get(f"/api/v1/tasks/{task['id']}/time", headers=viewer).json()["total_hours"] == 1.5
    assert client.get("/api/v1/activity/kpis", headers=theirs).json() == []
    # a feedback item of another workspace in an action's body: a 422 naming the field
    item = client.post("/api/v1/feedback", json={"channel": "email", "text": "Late parcel"}, headers=theirs).json()
    resp = client.post("/api/v1/actions", json={"title": "x", "feedback_item_ids": [item["id"]]}, headers=mine)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "feedback_item_ids", resp.text
    own = client.post("/api/v1/feedback", json={"channel": "email", "text": "Late parcel"}, headers=mine).json()
    made = client.post(
        "/api/v1/actions", json={"title": "Track parcels", "feedback_item_ids": [own["id"]]}, headers=mine
    )
    assert made.status_code == 201 and made.json()["feedback_item_ids"] == [own["id"]], made.text
