"""Targets, the scorecard and goal progress through the live stack: metrics' figures bring goals alive."""

from __future__ import annotations

from datetime import date

TODAY = date.today()
MONTH = TODAY.replace(day=1)


def make_kpi(client, account, name: str, category: str, **extra) -> int:
    # A level (mean), not a sum: a sum of the month still running would be judged on pace, by the day of the month.
    body = {
        "name": name,
        "category": category,
        "baseline_value": 0,
        "expected_frequency": "month",
        "aggregation": "mean",
        **extra,
    }
    resp = client.post("/api/v1/kpis", json=body, headers=account.headers())
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def push(client, account, kpi_id: int, value: float) -> None:
    item = {"kpi_id": kpi_id, "period": "month", "period_start": MONTH.isoformat(), "value": value}
    resp = client.post("/api/v1/observations/batch", json={"observations": [item]}, headers=account.headers())
    assert resp.status_code == 200, resp.text


def set_target(client, account, kpi_id: int, target: float):
    end = date(TODAY.year, 12, 31).isoformat()
    return client.put(
        f"/api/v1/kpis/{kpi_id}/targets",
        headers=account.headers(),
        json=[{"period_start": f"{TODAY.year}-01-01", "period_end": end, "target": target}],
    )


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
    goal = client.post(
        "/api/v1/goals",
        headers=account.headers(),
        json={"title": "More orders", "level": "strategic_goal", "kpis": [{"kpi_id": orders}]},
    )
    assert goal.status_code == 201, goal.text
    detail = client.get(f"/api/v1/goals/{goal.json()['id']}", headers=account.headers()).json()
    assert detail["progress"] == 0.7 and detail["status"] == "at_risk"


def test_targets_refuse_overlaps_and_other_workspaces(client, account, other_account):
    kpi_id = make_kpi(client, account, "Visits", "result")
    resp = client.put(
        f"/api/v1/kpis/{kpi_id}/targets",
        headers=account.headers(),
        json=[
            {"period_start": "2026-01-01", "period_end": "2026-06-30", "target": 1},
            {"period_start": "2026-06-30", "period_end": "2026-12-31", "target": 2},
        ],
    )
    assert resp.status_code == 422
    assert "targets.1.period_start" in [e["field"] for e in resp.json()["errors"]]
    assert client.get(f"/api/v1/kpis/{kpi_id}/targets", headers=other_account.headers()).status_code == 404
    assert set_target(client, other_account, kpi_id, 5).status_code == 404


def test_derived_kpi_library_and_scorecard_csv(client, account, other_account):
    presets = client.get("/api/v1/kpis/library", headers=account.headers())
    assert presets.status_code == 200 and "bounce_rate" in {p["key"] for p in presets.json()}
    made = client.post(
        "/api/v1/kpis/library/cost", json={"name": "Ad spend", "currency_code": "NOK"}, headers=account.headers()
    )
    assert made.status_code == 201, made.text
    spend = made.json()["id"]
    orders = make_kpi(client, account, "Orders", "result")
    per_order = make_kpi(
        client, account, "Cost per order", "result", direction="lower_is_better", formula="[Ad spend] / [Orders]"
    )
    cycle = client.patch(f"/api/v1/kpis/{orders}", json={"formula": "[Cost per order] * 2"}, headers=account.headers())
    assert cycle.status_code == 422 and "Orders → Cost per order → Orders" in cycle.json()["detail"]
    push(client, account, spend, 600)
    push(client, account, orders, 12)
    refused = client.post(
        "/api/v1/observations",
        headers=account.headers(),
        json={"kpi_id": per_order, "period": "month", "period_start": MONTH.isoformat(), "value": 1},
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "kpi_id"
    card = client.get("/api/v1/scorecard", headers=account.headers()).json()
    [derived] = [i for i in card["columns"]["result"] if i["derived"]]
    assert (derived["value"], derived["formula_display"], derived["inputs"]) == (
        50.0,
        "[Ad spend] / [Orders]",
        [spend, orders],
    )
    kpi = client.get(f"/api/v1/kpis/{per_order}", headers=account.headers()).json()
    assert (kpi["actual"], kpi["source"], kpi["derived"], kpi["last_observed"]) == (
        50.0,
        "derived",
        True,
        MONTH.isoformat(),
    )
    export = client.get("/api/v1/scorecard/export.csv", headers=account.headers())
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    lines = export.text.splitlines()
    assert lines[0] == "category,kpi,unit,value,target,attainment,status,previous,change,stale"
    assert "result,Cost per order,number,50.0,,,not_measured,,,false" in lines
    theirs = client.get("/api/v1/scorecard/export.csv", headers=other_account.headers())
    assert theirs.status_code == 200 and theirs.text.splitlines() == lines[:1]
    foreign = client.post(
        "/api/v1/kpis",
        headers=other_account.headers(),
        json={"name": "Theirs", "category": "result", "formula": f"[#{spend}] * 2"},
    )
    assert foreign.status_code == 422 and foreign.json()["errors"][0]["field"] == "formula"
    blocked = client.post(f"/api/v1/kpis/{spend}/archive", headers=account.headers())
    assert blocked.status_code == 409 and "Cost per order" in blocked.json()["detail"]
