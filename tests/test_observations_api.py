"""Observations through the gateway: a year pushed in one batch, idempotent re-push, workspace isolation."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

KPI = {"name": "Visits", "unit": "number", "direction": "higher_is_better", "aggregation": "sum", "category": "result"}
DAYS = [date(2025, 1, 1) + timedelta(days=n) for n in range(365)]


def make_kpi(client, account) -> int:
    resp = client.post("/api/v1/kpis", json=KPI, headers=account.headers())
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def year(kpi_id: int, offset: float = 0) -> dict:
    return {
        "observations": [
            {"kpi_id": kpi_id, "period": "day", "period_start": d.isoformat(), "value": n + offset}
            for n, d in enumerate(DAYS)
        ]
    }


def test_a_year_of_daily_values_in_one_batch_then_again(client, account):
    kpi_id = make_kpi(client, account)
    first = client.post("/api/v1/observations/batch", json=year(kpi_id), headers=account.headers())
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 365, "replaced": 0}
    again = client.post("/api/v1/observations/batch", json=year(kpi_id, 0.5), headers=account.headers())
    assert again.json() == {"created": 0, "replaced": 365}
    page = client.get("/api/v1/observations", params={"kpi_id": kpi_id, "limit": 500}, headers=account.headers())
    assert page.status_code == 200 and page.json()["count"] == 365
    assert [o["value"] for o in page.json()["data"]][:3] == [0.5, 1.5, 2.5]
    assert {o["source"] for o in page.json()["data"]} == {"api"}
    export = client.get(f"/api/v1/kpis/{kpi_id}/observations.csv", headers=account.headers())
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert len(rows) == 366 and rows[1][1:5] == ["Visits", "day", "2025-01-01", "0.5"]


def test_single_push_says_whether_it_replaced(client, account):
    kpi_id = make_kpi(client, account)
    data = {"kpi_id": kpi_id, "period": "month", "period_start": "2025-03-01", "value": 48_000}
    created = client.post("/api/v1/observations", json=data, headers=account.headers())
    assert created.status_code == 201 and created.json()["replaced"] is False
    replaced = client.post("/api/v1/observations", json={**data, "value": 49_000}, headers=account.headers())
    assert replaced.status_code == 200 and replaced.json()["replaced"] is True
    assert replaced.json()["id"] == created.json()["id"]
    wrong = client.post("/api/v1/observations", json={**data, "period_start": "2025-03-03"}, headers=account.headers())
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "period_start"


def test_another_workspace_cannot_see_or_push_to_the_kpi(client, account, other_account):
    kpi_id = make_kpi(client, account)
    client.post("/api/v1/observations/batch", json=year(kpi_id), headers=account.headers())
    foreign = other_account.headers()
    listed = client.get("/api/v1/observations", params={"kpi_id": kpi_id}, headers=foreign)
    assert listed.status_code == 404 and listed.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/api/v1/kpis/{kpi_id}/observations.csv", headers=foreign).status_code == 404
    assert client.get("/api/v1/observations", headers=foreign).json()["count"] == 0
    own_kpi = make_kpi(client, other_account)
    items = [
        {"kpi_id": own_kpi, "period": "day", "period_start": "2025-01-01", "value": 1},
        {"kpi_id": kpi_id, "period": "day", "period_start": "2025-01-01", "value": 999},
    ]
    pushed = client.post("/api/v1/observations/batch", json={"observations": items}, headers=foreign)
    assert pushed.status_code == 422
    assert [e["field"] for e in pushed.json()["errors"]] == ["observations.1.kpi_id"]
    assert client.get("/api/v1/observations", headers=foreign).json()["count"] == 0  # all or nothing
    mine = client.get("/api/v1/observations", params={"kpi_id": kpi_id, "to": "2025-01-01"}, headers=account.headers())
    assert [o["value"] for o in mine.json()["data"]] == [0]


def test_a_manual_correction_wins_and_months_beat_days(client, account):
    kpi_id = make_kpi(client, account)
    days = [{"kpi_id": kpi_id, "period": "day", "period_start": d.isoformat(), "value": 10} for d in DAYS[:31]]
    client.post("/api/v1/observations/batch", json={"observations": days}, headers=account.headers())
    card = client.get("/api/v1/scorecard", params={"date": "2025-01-15"}, headers=account.headers()).json()
    assert card["columns"]["result"][0]["value"] == 310.0
    fix = {"kpi_id": kpi_id, "period": "day", "period_start": "2025-01-01", "value": 0, "source": "manual"}
    assert client.post("/api/v1/observations", json=fix, headers=account.headers()).status_code == 201
    card = client.get("/api/v1/scorecard", params={"date": "2025-01-15"}, headers=account.headers()).json()
    assert card["columns"]["result"][0]["value"] == 300.0  # the correction replaces the pushed day, not adds to it
    month = {"kpi_id": kpi_id, "period": "month", "period_start": "2025-01-01", "value": 280, "source": "import"}
    assert client.post("/api/v1/observations", json=month, headers=account.headers()).status_code == 201
    card = client.get("/api/v1/scorecard", params={"date": "2025-01-15"}, headers=account.headers()).json()
    assert card["columns"]["result"][0]["value"] == 280.0  # the month's total, not the month plus its days
