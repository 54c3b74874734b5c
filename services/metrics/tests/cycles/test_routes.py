"""Measurement cycles over HTTP: open by hand, review, close, read-only, lists, compare, CSV; roles and scoping."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from kit.identity import IDENTITY_HEADER, verify_identity
from kit.roles import Role
from kit.testing import TEST_KEY, auth, check_contract, problem
from services.metrics.tests.factories import Q3, add_kpi, service_app

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
URL = "/api/v1/cycles"
SURFACES = {
    (1, 7): {"id": 7, "name": "Web shop", "cadence": "quarterly", "period_start": "2026-01-01"},
    (1, 9): {"id": 9, "name": "=cmd|' /C calc'!A0", "cadence": "monthly", "period_start": "2026-01-01"},
    (2, 8): {"id": 8, "name": "Theirs", "cadence": "quarterly", "period_start": "2026-01-01"},
}


class FakeGoals:
    """Answers GET /api/v1/surfaces/{id} as the goals service would for the signed caller."""

    def __init__(self):
        self.calls = []

    def get(self, request, service, path, params=None):
        principal = verify_identity(TEST_KEY, request.headers[IDENTITY_HEADER])
        self.calls.append((service, path))
        surface = SURFACES.get((principal.workspace_id, int(path.rsplit("/", 1)[1])))
        return (200, surface) if surface else (404, {"status": 404})

    def close(self):
        pass


@pytest.fixture
def client(engine):  # the goals service answers through FakeGoals
    with TestClient(service_app(engine, internal=FakeGoals())) as c:
        yield c


@pytest.fixture
def kpis(engine):
    with Session(engine) as s:
        ids = {
            "visits": add_kpi(s, "Visits", category="activity", values={Q3[0]: 95.0}).id,
            "orders": add_kpi(s, "Orders", values={Q3[0]: 10.0}).id,
            "spend": add_kpi(s, "=Spend", surface_id=None, category="input", target=None, values={Q3[0]: 5.0}).id,
        }
        s.commit()
    return ids


def open_q3(client, **kw):
    return client.post(URL, json={"surface_id": 7, "period_start": Q3[0].isoformat()}, headers=auth(**kw))


def test_open_review_close_and_read_only(client, kpis):
    resp = open_q3(client, user_id=4)
    assert resp.status_code == 201, resp.text
    cycle = resp.json()
    assert (cycle["surface_name"], cycle["period_end"], cycle["opened_by"], cycle["status"]) == (
        "Web shop",
        Q3[1].isoformat(),
        4,
        "open",
    )
    assert [i["name"] for i in cycle["items"]] == ["=Spend", "Visits", "Orders"]  # inputs → activities → results
    orders = cycle["items"][2]
    assert (orders["status"], orders["status_label"], orders["root_cause_required"]) == ("off_track", "Off track", True)
    assert cycle["off_track_count"] == 1 and cycle["missing_root_causes"] == 1
    url = f"{URL}/{cycle['id']}"
    problem(client.post(f"{url}/close", headers=auth()), 422, f"items.{kpis['orders']}.root_cause")
    problem(client.patch(f"{url}/items/{kpis['orders']}", json={"root_cause": "x"}, headers=auth(Role.viewer)), 403)
    item = client.patch(
        f"{url}/items/{kpis['orders']}", json={"root_cause": "Stock ran out", "note": "Aug"}, headers=auth()
    )
    assert item.status_code == 200 and item.json()["root_cause"] == "Stock ran out"
    assert (
        client.patch(f"{url}/items/{kpis['orders']}", json={"note": None}, headers=auth()).json()["root_cause"]
        == "Stock ran out"
    )
    problem(
        client.post(f"{url}/findings", json={"text": "Slow", "kpi_id": 999, "change_kind": "content"}, headers=auth()),
        422,
        "kpi_id",
    )
    problem(
        client.post(f"{url}/findings", json={"text": "  ", "change_kind": "magic"}, headers=auth()), 422, "change_kind"
    )
    finding = client.post(
        f"{url}/findings",
        json={"text": "Checkout slow on mobile", "kpi_id": kpis["orders"], "change_kind": "technology"},
        headers=auth(),
    )
    assert finding.status_code == 201 and finding.json()["kpi_name"] == "Orders"
    fid = finding.json()["id"]
    changed = client.patch(f"{url}/findings/{fid}", json={"change_kind": "content"}, headers=auth())
    assert changed.json()["change_kind"] == "content"
    closed = client.post(f"{url}/close", headers=auth(user_id=5))
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["closed_by"] == 5
    for method, path, body in (
        ("PATCH", f"/items/{kpis['orders']}", {"note": "x"}),
        ("POST", "/findings", {"text": "x", "change_kind": "channel"}),
        ("PATCH", f"/findings/{fid}", {"text": "y"}),
        ("DELETE", f"/findings/{fid}", None),
        ("POST", "/close", None),
        ("POST", "/refresh", None),
        ("DELETE", "", None),
    ):
        problem(client.request(method, url + path, json=body, headers=auth()), 409)
    assert client.get(url, headers=auth(Role.viewer)).json()["findings"][0]["text"] == "Checkout slow on mobile"


def test_open_by_hand_refuses_foreign_surfaces_duplicates_and_viewers(client, kpis):
    body = problem(client.post(URL, json={"surface_id": 8}, headers=auth()), 404, "surface_id")
    assert "8" in body["detail"]
    problem(client.post(URL, json={"surface_id": 7}, headers=auth(Role.viewer)), 403)
    problem(client.post(URL, json={"surface_id": 7, "period_start": "2026-08-01"}, headers=auth()), 422, "period_start")
    first = open_q3(client).json()
    again = problem(open_q3(client), 409)
    assert str(first["id"]) in again["detail"]
    current = client.post(URL, json={"surface_id": 7}, headers=auth())
    assert current.status_code == 201
    start = date.fromisoformat(current.json()["period_start"])
    assert start <= date.today() <= date.fromisoformat(current.json()["period_end"])


def test_cycles_keep_the_scoping_contract(client, kpis):
    cycle = open_q3(client).json()
    url = f"{URL}/{cycle['id']}"
    check_contract(
        client,
        url,
        creates=[("POST", URL, {"surface_id": 7})],
        writes=[
            ("POST", f"{url}/close"),
            ("POST", f"{url}/refresh"),
            ("PATCH", f"{url}/items/{kpis['orders']}", {"note": "x"}),
            ("POST", f"{url}/findings", {"text": "x", "change_kind": "channel"}),
            ("DELETE", url),
        ],
        owner=auth(),
        viewer=auth(Role.viewer),
        foreign=auth(workspace_id=2),
        missing=f"{URL}/{2**40}",
    )
    other = auth(workspace_id=2)
    problem(client.get(f"{url}/export.csv", headers=other), 404)
    problem(client.get(f"{URL}/compare", params={"ids": cycle["id"]}, headers=other), 404)
    assert client.get(URL, headers=other).json()["count"] == 0
    assert client.get(f"{URL}/findings", headers=other).json()["count"] == 0
    problem(client.patch(f"{url}/items/{2**40}", json={"note": "x"}, headers=auth()), 404)


def test_list_filters_findings_compare_and_csv(client, kpis):
    q3 = open_q3(client).json()
    q2 = client.post(URL, json={"surface_id": 7, "period_start": "2026-04-01"}, headers=auth()).json()
    monthly = client.post(URL, json={"surface_id": 9, "period_start": "2026-07-01"}, headers=auth()).json()
    client.post(f"{URL}/{q3['id']}/findings", json={"text": "=HYPERLINK(1)", "change_kind": "channel"}, headers=auth())
    client.patch(f"{URL}/{q3['id']}/items/{kpis['orders']}", json={"note": "@SUM(A1)"}, headers=auth())
    listing = client.get(URL, params={"surface_id": 7}, headers=auth(Role.viewer)).json()
    assert [c["id"] for c in listing["data"]] == [q3["id"], q2["id"]] and listing["count"] == 2
    assert listing["data"][0]["findings_count"] == 1 and listing["data"][0]["items_count"] == 3
    assert client.get(URL, params={"status": "closed"}, headers=auth()).json()["count"] == 0
    paged = client.get(URL, params={"limit": 1, "offset": 1}, headers=auth()).json()
    assert paged["count"] == 3 and len(paged["data"]) == 1
    found = client.get(f"{URL}/findings", params={"surface_id": 7, "change_kind": "channel"}, headers=auth()).json()
    assert found["count"] == 1 and found["data"][0]["cycle_id"] == q3["id"]
    assert found["data"][0]["period_start"] == Q3[0].isoformat()
    compared = client.get(f"{URL}/compare", params={"ids": f"{q3['id']},{q2['id']}"}, headers=auth()).json()
    assert [c["id"] for c in compared["cycles"]] == [q2["id"], q3["id"]]  # oldest first
    orders = next(r for r in compared["rows"] if r["kpi_id"] == kpis["orders"])
    assert orders["cells"][1]["value"] == 10.0 and orders["cells"][0]["value"] is None
    problem(client.get(f"{URL}/compare", headers=auth()), 422, "ids")
    problem(client.get(f"{URL}/compare", params={"ids": "x"}, headers=auth()), 422)
    resp = client.get(f"{URL}/{q3['id']}/export.csv", headers=auth(Role.viewer))
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert [r["kpi"] for r in rows] == ["'=Spend", "Visits", "Orders"]
    assert rows[2]["note"] == "'@SUM(A1)" and rows[2]["status"] == "off_track" and rows[2]["value"] == "10.0"
    monthly_csv = client.get(f"{URL}/{monthly['id']}/export.csv", headers=auth()).text
    assert "'=cmd" in monthly_csv


def test_refresh_takes_late_data_and_keeps_the_review(client, kpis, engine):  # noqa: F811
    cycle = open_q3(client).json()
    url = f"{URL}/{cycle['id']}"
    client.patch(f"{url}/items/{kpis['orders']}", json={"note": "waiting for data"}, headers=auth())
    with Session(engine) as s:
        late = add_kpi(s, "Returns", values={Q3[0]: 1.0, date(2026, 8, 1): 99.0}).id
        s.commit()
    problem(client.post(f"{url}/refresh", headers=auth(Role.viewer)), 403)
    fresh = client.post(f"{url}/refresh", headers=auth()).json()
    assert late in [i["kpi_id"] for i in fresh["items"]]
    assert next(i for i in fresh["items"] if i["kpi_id"] == kpis["orders"])["note"] == "waiting for data"


def test_an_open_cycle_opened_by_mistake_can_be_deleted(client, kpis):
    cycle = open_q3(client).json()
    url = f"{URL}/{cycle['id']}"
    client.post(f"{url}/findings", json={"text": "x", "change_kind": "content"}, headers=auth())
    problem(client.delete(url, headers=auth(Role.viewer)), 403)
    problem(client.delete(url, headers=auth(workspace_id=2)), 404)
    assert client.delete(url, headers=auth()).status_code == 204
    problem(client.get(url, headers=auth()), 404)
    assert client.get(f"{URL}/findings", headers=auth()).json()["count"] == 0
    assert open_q3(client).status_code == 201  # the period is free again
