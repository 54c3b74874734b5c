"""Targets, the scorecard and goal progress through the live stack: metrics' figures bring goals alive."""

from __future__ import annotations

from datetime import date

TODAY = date.today()
MONTH = TODAY.replace(day=1)


def make_kpi(client, account, name: str, category: str, **extra) -> int:
    body = {"name": name, "category": category, "baseline_value": 0, "expected_frequency": "month", **extra}
    resp = client.post("/api/v1/kpis", json=body, headers=account.headers())
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def push(client, account, kpi_id: int, value: float) -> None:
    item = {"kpi_id": kpi_id, "period": "month", "period_start": MONTH.isoformat(), "value": value}
    resp = client.post("/api/v1/observations/batch", json={"observations": [item]}, headers=account.headers())
    assert resp.status_code == 200, resp.text


def set_target(client, account, kpi_id: int, target: float):
    end = date(TODAY.year, 12, 31).isoformat()
    return client.put(f"/api/v1/kpis/{kpi_id}/targets", headers=account.headers(),
                      json=[{"period_start": f"{TODAY.year}-01-01", "period_end": end, "target": target}])


def test_targets_scorecard_and_goal_progress(client, account):
    orders = make_kpi(client, account, "Orders", "result")
    spend = make_kpi(client, account, "Ad spend", "input")
    assert set_target(client, account, orders, 100).status_code == 200
    push(client, account, orders, 70)
    push(client, account, spend, 5)
    card = client.get("/api/v1/scorecard", params={"date": TODAY.isoformat()}, headers=account.headers())
    assert card.status_code == 200, card.text
    result = card.json()["columns"]["result"][0]
    assert (result["value"], result["target"], result["attainment"], result["status"]) == (70.0, 100.0, 0.7, "at_risk")
    assert card.json()["columns"]["input"][0]["status"] == "not_measured"
    goal = client.post("/api/v1/goals", headers=account.headers(), json={
        "title": "More orders", "level": "strategic_goal", "kpis": [{"kpi_id": orders}]})
    assert goal.status_code == 201, goal.text
    detail = client.get(f"/api/v1/goals/{goal.json()['id']}", headers=account.headers()).json()
    assert detail["progress"] == 0.7 and detail["status"] == "at_risk"


def test_targets_refuse_overlaps_and_other_workspaces(client, account, other_account):
    kpi_id = make_kpi(client, account, "Visits", "result")
    resp = client.put(f"/api/v1/kpis/{kpi_id}/targets", headers=account.headers(), json=[
        {"period_start": "2026-01-01", "period_end": "2026-06-30", "target": 1},
        {"period_start": "2026-06-30", "period_end": "2026-12-31", "target": 2}])
    assert resp.status_code == 422
    assert "targets.1.period_start" in [e["field"] for e in resp.json()["errors"]]
    assert client.get(f"/api/v1/kpis/{kpi_id}/targets", headers=other_account.headers()).status_code == 404
    assert set_target(client, other_account, kpi_id, 5).status_code == 404
