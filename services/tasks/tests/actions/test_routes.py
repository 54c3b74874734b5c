"""The action list over the tasks service's HTTP API: every write refuses viewers, every id of another
workspace is 404, and the matrix, CSV, capacity, effect and evaluation answer as documented."""

from __future__ import annotations

import pytest

from kit.roles import Role
from kit.testing import auth, problem

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
URL = "/api/v1/actions"


def post(client, path, json=None, status=200, **kw):
    resp = client.post(path, json=json, headers=kw.pop("headers", auth()), **kw)
    assert resp.status_code == status, resp.text
    return resp.json()


def period(client, capacity=20):
    body = {"name": "Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31", "capacity_hours": capacity}
    return post(client, "/api/v1/periods", body, status=201)


def test_make_plan_finish_and_evaluate(client, records):
    made = client.post(URL, json={"title": "Faster checkout", "finding_id": 9, "effort_size": "S", "gain": 4,
                                  "expected_direction": "up", "expected_size": 10}, headers=auth())  # fmt: skip
    assert made.status_code == 201, made.text
    action = made.json()
    assert made.headers["location"] == f"{URL}/{action['id']}"
    assert action["quadrant"] == "quick_win" and action["kpi_id"] == 5 and action["effort_hours"] == 4
    q = period(client)
    planned = post(client, f"{URL}/{action['id']}/plan", {"period_id": q["id"]})
    assert planned["status"] == "planned" and planned["period_id"] == q["id"]
    plan = client.get(f"/api/v1/periods/{q['id']}/plan", headers=auth()).json()
    assert (
        plan["planned_hours"] == 4
        and not plan["over"]
        and [a["id"] for a in plan["by_status"]["planned"]] == [action["id"]]
    )
    done = post(client, f"{URL}/{action['id']}/status", {"status": "done", "done_on": "2026-02-10"})
    assert done["done_on"] == "2026-02-10"
    records.answers = [{"ref": str(action["id"]), "verdict": "confirmed", "reason": "moved", "change": 12.5,
                        "expected_change": 10.0, "baseline": 100.0}]  # fmt: skip
    evidence = client.get(f"{URL}/{action['id']}/effect", headers=auth()).json()
    assert evidence["verdict"] == "confirmed" and evidence["change"] == 12.5 and evidence["confounders"] == []
    assert records.asked == [f"{action['id']}:5:2026-02-10:2:up:10.0:percent"]
    evaluated = post(client, f"{URL}/{action['id']}/evaluation", {"verdict": "confirmed", "note": "Clear"})
    assert evaluated["status"] == "evaluated" and evaluated["observed_change"] == 12.5
    detail = client.get(f"{URL}/{action['id']}", headers=auth()).json()
    assert [h["to_status"] for h in detail["history"] if h["kind"] == "status"] == ["planned", "done", "evaluated"]
    record = client.get(f"{URL}/track-record", headers=auth()).json()["data"]
    assert next(r for r in record if r["change_kind"] == "technology")["confirmed"] == 1


def test_matrix_csv_capacity_and_settings(client):
    q = period(client, capacity=10)
    for title, hours, gain in (("Pit", 60, 1), ("Win", 2, 5), ("=HYPERLINK()", 12, 2)):
        post(client, URL, {"title": title, "effort_hours": hours, "gain": gain, "period_id": q["id"],
                           "status": "planned"}, status=201)  # fmt: skip
    matrix = client.get(f"{URL}/matrix", headers=auth()).json()
    assert [a["title"] for a in matrix["data"]] == ["Win", "=HYPERLINK()", "Pit"] and matrix["low_effort_hours"] == 16
    csv = client.get(f"{URL}/export.csv", headers=auth())
    assert csv.headers["content-type"].startswith("text/csv") and "'=HYPERLINK()" in csv.text
    assert csv.text.splitlines()[1].startswith(f"{matrix['data'][0]['id']},Win,planned")
    load = client.get(f"{URL}/capacity", headers=auth()).json()
    assert load == [pytest.approx(load[0])] and load[0]["planned_hours"] == 74 and load[0]["over"]
    problem(client.put(f"{URL}/settings", json={"hours_s": 8, "hours_m": 4, "hours_l": 40, "hours_xl": 80},
                       headers=auth()), 422, "hours_m")  # fmt: skip
    client.put(f"{URL}/settings", json={"hours_s": 2, "hours_m": 60, "hours_l": 90, "hours_xl": 120}, headers=auth())
    assert client.get(f"{URL}/matrix", headers=auth()).json()["data"][1]["quadrant"] == "fill_in"


def test_another_workspace_gets_404_on_every_id_and_a_viewer_403_on_every_write(client):
    q = period(client)
    action = post(client, URL, {"title": "Mine", "period_id": q["id"], "status": "planned"}, status=201)
    a = action["id"]
    foreign = auth(workspace_id=2)
    for path in (f"{URL}/{a}", f"{URL}/{a}/effect", f"/api/v1/periods/{q['id']}/plan"):
        problem(client.get(path, headers=foreign), 404)
    for path, body in (
        (f"{URL}/{a}/status", {"status": "done"}),
        (f"{URL}/{a}/plan", {"period_id": q["id"]}),
        (f"{URL}/{a}/evaluation", {"verdict": "confirmed"}),
    ):
        problem(client.post(path, json=body, headers=foreign), 404)
    problem(client.patch(f"{URL}/{a}", json={"title": "Theirs"}, headers=foreign), 404)
    problem(client.post(URL, json={"title": "x", "period_id": q["id"]}, headers=foreign), 422, "period_id")
    problem(client.post(URL, json={"title": "x", "kpi_id": 6}, headers=auth()), 422, "kpi_id")
    assert client.get(URL, headers=foreign).json()["count"] == 0
    viewer = auth(role=Role.viewer)
    writes = [
        ("post", URL, {"title": "x"}),
        ("patch", f"{URL}/{a}", {"title": "x"}),
        ("post", f"{URL}/{a}/status", {"status": "done"}),
        ("post", f"{URL}/{a}/plan", {"period_id": None}),
        ("post", f"{URL}/{a}/evaluation", {"verdict": "confirmed"}),
        ("put", f"{URL}/settings", {"hours_s": 1, "hours_m": 2, "hours_l": 3, "hours_xl": 4}),
    ]
    for method, path, body in writes:
        problem(client.request(method, path, json=body, headers=viewer), 403)
    assert client.get(f"{URL}/{a}", headers=viewer).status_code == 200


def test_an_action_made_from_feedback_items_links_back_to_them(client):
    resp = client.post(
        "/api/v1/actions",
        json={"title": "Train the counter staff", "change_kind": "way_of_working", "feedback_item_ids": [22, 21, 22]},
        headers=auth(),
    )
    assert resp.status_code == 201, resp.text
    action = resp.json()
    assert action["feedback_item_ids"] == [21, 22]
    other = client.post("/api/v1/actions", json={"title": "Unrelated"}, headers=auth()).json()
    assert other["feedback_item_ids"] == []
    found = client.get("/api/v1/actions", params={"feedback_item_id": 21}, headers=auth()).json()["data"]
    assert [a["id"] for a in found] == [action["id"]]
    assert client.get("/api/v1/actions", params={"feedback_item_id": 2}, headers=auth()).json()["count"] == 0
    problem(
        client.post("/api/v1/actions", json={"title": "x", "feedback_item_ids": [21, 99]}, headers=auth()),
        422,
        "feedback_item_ids",
    )
    patch = client.patch(f"/api/v1/actions/{other['id']}", json={"feedback_item_ids": [22]}, headers=auth())
    assert patch.status_code == 200, patch.text
    assert patch.json()["feedback_item_ids"] == [22]
    problem(client.patch(f"/api/v1/actions/{other['id']}", json={"feedback_item_ids": None}, headers=auth()), 422)
