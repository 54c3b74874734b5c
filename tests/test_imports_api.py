"""File imports through the gateway: upload (multipart), map, run on the metrics worker, read the report."""

from __future__ import annotations

import time
from datetime import date, timedelta

from kit.testing import check_contract, problem
from tests import support

KPI = {"name": "Visits", "unit": "number", "direction": "higher_is_better", "aggregation": "sum", "category": "result"}


def wait_until_ended(client, account, import_id: int, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/imports/{import_id}", headers=account.headers()).json()
        if body["status"] not in ("queued", "checking", "storing"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"import {import_id} still {body['status']}")


def upload(client, account, text: str, name: str = "visits.csv"):
    return client.post("/api/v1/imports", files={"file": (name, text.encode(), "text/csv")}, headers=account.headers())


def csv_of_days(days: int, bad_line: int | None = None) -> str:
    lines = ["KPI;Period;Date;Value"]
    for n in range(days):
        day = (date(2025, 1, 1) + timedelta(days=n)).isoformat()
        lines.append(f"Visits;day;{'not a day' if n + 2 == bad_line else day};{n},5")
    return "\n".join(lines) + "\n"


def test_import_a_year_through_the_gateway_then_again(client, account):
    assert client.post("/api/v1/kpis", json=KPI, headers=account.headers()).status_code == 201
    bad = upload(client, account, csv_of_days(365, bad_line=40))
    assert bad.status_code == 201, bad.text
    record = bad.json()
    assert record["suggested"]["columns"] == ["kpi_name", "period", "period_start", "value"]
    started = client.post(
        f"/api/v1/imports/{record['id']}/run", json={"mapping": record["suggested"]}, headers=account.headers()
    )
    assert started.status_code == 202, started.text
    ended = wait_until_ended(client, account, record["id"])
    assert (ended["status"], ended["bad_lines"], ended["rows_total"]) == ("failed_validation", 1, 365)
    report = client.get(f"/api/v1/imports/{record['id']}/problems", headers=account.headers()).json()
    assert [(p["line"], p["column"]) for p in report["data"]] == [(40, "Date")]
    assert client.get("/api/v1/observations", headers=account.headers()).json()["count"] == 0

    good = upload(client, account, csv_of_days(365)).json()
    client.post(f"/api/v1/imports/{good['id']}/run", json={"mapping": good["suggested"]}, headers=account.headers())
    done = wait_until_ended(client, account, good["id"])
    assert (done["status"], done["created"], done["replaced"], done["rows_done"]) == ("done", 365, 0, 365)
    again = client.post(f"/api/v1/imports/{good['id']}/run", json={}, headers=account.headers())
    assert again.status_code == 202, again.text
    assert wait_until_ended(client, account, good["id"])["replaced"] == 365
    observations = client.get("/api/v1/observations", params={"limit": 1}, headers=account.headers()).json()
    assert observations["count"] == 365 and observations["data"][0]["source"] == "import"
    listed = client.get("/api/v1/imports", headers=account.headers()).json()
    assert [i["id"] for i in listed["data"]] == [good["id"], record["id"]]


def test_other_workspaces_and_viewers(client, account, other_account):
    record = upload(client, account, csv_of_days(3)).json()
    url = f"/api/v1/imports/{record['id']}"
    mapping = {"columns": ["kpi_name", "period", "period_start", "value"]}
    check_contract(
        client,
        url,
        writes=[("PUT", f"{url}/mapping", mapping), ("POST", f"{url}/run"), ("DELETE", url)],
        owner=account.headers(),
        viewer=support.viewer_headers(account),  # a viewer of the import's own workspace: reads, never writes
        foreign=other_account.headers(),
    )
    problem(client.get(f"{url}/problems", headers=other_account.headers()), 404)
    assert upload(client, support.make_account(role="viewer"), csv_of_days(3)).status_code == 403
    wrong = client.put(f"{url}/mapping", json={"columns": ["value"]}, headers=account.headers())
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "columns"
    assert client.get(url, headers=account.headers()).json()["status"] == "uploaded"
