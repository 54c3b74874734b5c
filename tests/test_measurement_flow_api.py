"""The issue's API path for a tool with a token: KPIs, a year pushed twice, scorecard, a cycle and its export.

Another workspace's token gets 404 on every id of it."""

from __future__ import annotations

from datetime import date, timedelta

YEAR_START = date(date.today().year - 1, 1, 1)


def year_of_days(kpi_id: int, value_of) -> list[dict]:
    days = [YEAR_START + timedelta(days=n) for n in range(365)]
    return [{"kpi_id": kpi_id, "period": "day", "period_start": d.isoformat(), "value": value_of(d)} for d in days]


def test_a_tool_defines_pushes_reads_opens_and_exports(client, account, other_account):
    h = account.headers()
    surface = client.post(
        "/api/v1/surfaces",
        headers=h,
        json={
            "name": "Web shop",
            "kind": "web_shop",
            "cadence": "monthly",
            "period_start": date.today().replace(day=1).isoformat(),
        },
    )
    assert surface.status_code == 201, surface.text
    surface_id = surface.json()["id"]
    orders = client.post(
        "/api/v1/kpis",
        headers=h,
        json={"name": "Orders", "category": "result", "surface_id": surface_id, "expected_frequency": "day"},
    )
    assert orders.status_code == 201, orders.text
    kpi_id = orders.json()["id"]

    batch = {"observations": year_of_days(kpi_id, lambda d: d.day)}
    first = client.post("/api/v1/observations/batch", headers=h, json=batch)
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 365, "replaced": 0}
    again = client.post("/api/v1/observations/batch", headers=h, json=batch)
    assert again.json() == {"created": 0, "replaced": 365}
    listed = client.get("/api/v1/observations", headers=h, params={"kpi_id": kpi_id, "limit": 1})
    assert listed.json()["count"] == 365  # replaced, not duplicated

    january = client.get(
        "/api/v1/scorecard",
        headers=h,
        params={"period": "month", "date": YEAR_START.isoformat(), "surface_id": surface_id},
    )
    assert january.status_code == 200, january.text
    item = january.json()["columns"]["result"][0]
    assert (item["kpi_id"], item["value"]) == (kpi_id, float(sum(range(1, 32))))  # 1 + 2 + … + 31

    cycle = client.post("/api/v1/cycles", headers=h, json={"surface_id": surface_id})
    assert cycle.status_code == 201, cycle.text
    cycle_id = cycle.json()["id"]
    assert [i["kpi_id"] for i in cycle.json()["items"]] == [kpi_id]
    export = client.get(f"/api/v1/cycles/{cycle_id}/export.csv", headers=h)
    assert export.status_code == 200, export.text
    assert export.headers["content-type"].startswith("text/csv")
    assert "Orders" in export.text

    foreign = other_account.headers()
    for path in (
        f"/api/v1/kpis/{kpi_id}",
        f"/api/v1/kpis/{kpi_id}/targets",
        f"/api/v1/kpis/{kpi_id}/observations.csv",
        f"/api/v1/cycles/{cycle_id}",
        f"/api/v1/cycles/{cycle_id}/export.csv",
        f"/api/v1/surfaces/{surface_id}",
    ):
        resp = client.get(path, headers=foreign)
        assert resp.status_code == 404, (path, resp.status_code, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")
    assert client.patch(f"/api/v1/kpis/{kpi_id}", headers=foreign, json={"name": "Mine"}).status_code == 404
    assert client.post(f"/api/v1/cycles/{cycle_id}/close", headers=foreign).status_code == 404
    assert client.post("/api/v1/cycles", headers=foreign, json={"surface_id": surface_id}).status_code == 404
    pushed = client.post(
        "/api/v1/observations/batch", headers=foreign, json={"observations": batch["observations"][:1]}
    )
    assert pushed.status_code == 422 and pushed.json()["errors"][0]["field"] == "observations.0.kpi_id"
    theirs = client.get("/api/v1/scorecard", headers=foreign, params={"surface_id": surface_id})
    assert all(not items for items in theirs.json()["columns"].values())  # nothing of ours leaks
    listed = client.get("/api/v1/observations", headers=h, params={"kpi_id": kpi_id, "limit": 1})
    assert listed.json()["count"] == 365  # the foreign attempts changed nothing
