"""The feedback API: scoping and roles, the inbox's filters, handling, bulk, built-in KPIs over HTTP."""

from __future__ import annotations

from kit.roles import Role
from kit.testing import auth, check_contract, problem

URL = "/api/v1/feedback"


def file(client, workspace_id: int = 1, **fields) -> dict:
    data = {"channel": "facebook", "text": "Rude staff", "received_at": "2026-03-02T10:00:00Z", **fields}
    resp = client.post(URL, json=data, headers=auth(workspace_id=workspace_id))
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_feedback_keeps_the_scoping_contract(client):
    one = file(client)
    theirs = client.get(f"{URL}/categories", headers=auth(workspace_id=2)).json()[0]
    mine = client.get(f"{URL}/categories", headers=auth()).json()[0]
    check_contract(
        client,
        f"{URL}/{one['id']}",
        writes=[
            ("PATCH", f"{URL}/{one['id']}", {"notes": "x"}),
            ("POST", f"{URL}/{one['id']}/state", {"state": "in_progress"}),
            ("POST", f"{URL}/{one['id']}/answer", {"text": "Sorry"}),
            ("POST", f"{URL}/{one['id']}/erase"),
            ("PATCH", f"{URL}/categories/{mine['id']}", {"name": "Mine"}),
        ],
        creates=[
            ("POST", URL, {"channel": "email", "text": "x"}),
            ("POST", f"{URL}/categories", {"name": "New"}),
            ("PUT", f"{URL}/targets/facebook", {"hours": 4}),
            ("POST", f"{URL}/kpis"),
            ("PATCH", f"{URL}/settings", {"multiplier": 10}),
        ],
        owner=auth(),
        viewer=auth(Role.viewer),
        foreign=auth(workspace_id=2),
        missing=f"{URL}/999999",
    )
    problem(client.get(f"{URL}/{one['id']}/history", headers=auth(workspace_id=2)), 404)
    assert client.get(f"{URL}/{one['id']}/history", headers=auth(Role.viewer)).status_code == 200
    # a foreign id in the body is a 422 naming the field
    problem(client.patch(f"{URL}/{one['id']}", json={"category_id": theirs["id"]}, headers=auth()), 422, "category_id")
    problem(client.post(f"{URL}/bulk", json={"ids": [one["id"]]}, headers=auth(workspace_id=2)), 422, "ids")


def test_the_inbox_filters_and_flags_items_past_target(client):
    client.put(f"{URL}/targets/facebook", json={"hours": 4, "working_hours": True}, headers=auth())
    late = file(client)
    file(client, channel="email", kind="praise", sentiment="positive")
    assert late["past_target"] is True and late["due_at"].startswith("2026-03-02T14:00")
    inbox = client.get(URL, params={"past_target": True}, headers=auth(Role.viewer)).json()
    assert [i["id"] for i in inbox["data"]] == [late["id"]]
    assert client.get(URL, params={"kind": "praise"}, headers=auth()).json()["count"] == 1
    assert client.get(URL, params={"state": "new"}, headers=auth()).json()["count"] == 2
    assert client.get(URL, headers=auth(workspace_id=2)).json()["count"] == 0


def test_bulk_assign_and_categorise_then_handle(client):
    a, b = file(client), file(client)
    staff = next(c for c in client.get(f"{URL}/categories", headers=auth()).json() if c["key"] == "staff_service")
    resp = client.post(
        f"{URL}/bulk", json={"ids": [a["id"], b["id"]], "owner_id": 5, "category_id": staff["id"]}, headers=auth()
    )
    assert resp.json() == {"updated": 2}
    got = client.get(f"{URL}/{a['id']}", headers=auth()).json()
    assert (got["owner_id"], got["category_id"]) == (5, staff["id"])
    client.post(f"{URL}/{a['id']}/answer", json={"text": "We are sorry"}, headers=auth())
    done = client.post(f"{URL}/{a['id']}/state", json={"state": "resolved"}, headers=auth()).json()
    assert done["state"] == "resolved" and done["resolved_at"]
    problem(client.post(f"{URL}/{a['id']}/state", json={"state": "escalated"}, headers=auth()), 409)
    history = client.get(f"{URL}/{a['id']}/history", headers=auth()).json()
    assert [h["action"] for h in history] == ["created", "owner", "category", "answered", "state"]


def test_one_call_makes_the_dissatisfaction_kpis_and_they_reach_the_kpi_list(client):
    file(client)
    made = client.post(f"{URL}/kpis", headers=auth()).json()
    assert {m["measure"] for m in made} >= {
        "complaints",
        "negative_share",
        "median_first_answer",
        "within_target",
        "dissatisfied",
    }
    again = client.post(f"{URL}/kpis", headers=auth()).json()
    assert [m["kpi_id"] for m in again] == [m["kpi_id"] for m in made]  # idempotent
    complaints = next(m for m in made if m["name"] == "Complaints")
    kpi = client.get(f"/api/v1/kpis/{complaints['kpi_id']}", headers=auth()).json()
    assert kpi["source"] == "feedback"
    obs = client.get("/api/v1/observations", params={"kpi_id": kpi["id"]}, headers=auth()).json()["data"]
    assert [(o["period_start"], o["value"], o["source"]) for o in obs] == [("2026-03-01", 1.0, "feedback")]


def test_html_in_text_is_stored_as_given_and_oversize_text_refused(client):
    one = file(client, text="<script>alert(1)</script>")
    assert client.get(f"{URL}/{one['id']}", headers=auth()).json()["text"] == "<script>alert(1)</script>"
    problem(client.post(URL, json={"channel": "x", "text": "a" * 10_001}, headers=auth()), 422, "text")
