"""Planning periods through service.py and through the HTTP API of the tasks service."""

from __future__ import annotations

import time

import pytest

from kit.roles import Role
from kit.testing import auth, check_contract, problem

# The short test key is the point of a test; production keys are 48 random bytes.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
URL = "/api/v1/periods"


def make_period(client, workspace_id: int = 1, **overrides) -> dict:
    data = {"name": "Q1 2026", "starts_on": "2026-01-01", "ends_on": "2026-03-31", "capacity_hours": 120}
    resp = client.post(URL, json={**data, **overrides}, headers=auth(workspace_id=workspace_id))
    assert resp.status_code == 201, resp.text
    return resp.json()


# --- create, get, list ---------------------------------------------------------------------------


def test_create_then_get_and_list(client):
    created = make_period(client, name="  Q1 2026  ", notes="Spring campaign season")
    assert created["name"] == "Q1 2026"
    assert created["starts_on"] == "2026-01-01" and created["ends_on"] == "2026-03-31"
    assert created["capacity_hours"] == 120 and created["notes"] == "Spring campaign season"
    assert created["archived"] is False and created["created_at"] and created["updated_at"]
    assert client.get(f"{URL}/{created['id']}", headers=auth()).json() == created
    listed = client.get(URL, headers=auth()).json()
    assert listed["count"] == 1 and listed["data"] == [created]
    assert listed["limit"] == 50 and listed["offset"] == 0


def test_optional_fields_default_to_none(client):
    created = make_period(client, capacity_hours=None)
    assert created["capacity_hours"] is None and created["notes"] is None


def test_single_day_period_is_allowed(client):
    assert make_period(client, starts_on="2026-05-01", ends_on="2026-05-01")["ends_on"] == "2026-05-01"


@pytest.mark.parametrize(
    "field, value",
    [
        ("name", "   "),
        ("name", ""),
        ("name", "x" * 201),
        ("capacity_hours", -1),
        ("notes", "x" * 2001),
        ("starts_on", "not a date"),
        ("ends_on", None),
    ],
)
def test_bad_input_is_422_naming_the_field(client, field, value):
    data = {"name": "Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31", field: value}
    problem(client.post(URL, json=data, headers=auth()), 422, field)


def test_end_before_start_is_422_naming_ends_on(client):
    resp = client.post(URL, json={"name": "Q1", "starts_on": "2026-03-31", "ends_on": "2026-01-01"}, headers=auth())
    problem(resp, 422, "ends_on")
    assert client.get(URL, headers=auth()).json()["count"] == 0


def test_infinite_capacity_is_refused(client):
    body = '{"name": "Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31", "capacity_hours": Infinity}'
    resp = client.post(URL, content=body, headers={**auth(), "content-type": "application/json"})
    problem(resp, 422, "capacity_hours")


def test_unknown_id_is_404(client):
    problem(client.get(f"{URL}/999", headers=auth()), 404)


# --- patch ---------------------------------------------------------------------------------------


def test_patch_changes_only_what_was_sent(client):
    period = make_period(client, notes="keep me")
    resp = client.patch(
        f"{URL}/{period['id']}", json={"name": "Q1 2026 (revised)", "capacity_hours": None}, headers=auth()
    )
    assert resp.status_code == 200, resp.text
    changed = resp.json()
    assert changed["name"] == "Q1 2026 (revised)" and changed["capacity_hours"] is None
    assert changed["notes"] == "keep me" and changed["starts_on"] == period["starts_on"]
    assert changed["updated_at"] >= period["updated_at"]


def test_patch_rechecks_the_span_against_stored_values(client):
    period = make_period(client)  # 2026-01-01 .. 2026-03-31
    problem(client.patch(f"{URL}/{period['id']}", json={"ends_on": "2025-12-31"}, headers=auth()), 422, "ends_on")
    problem(client.patch(f"{URL}/{period['id']}", json={"starts_on": "2026-04-01"}, headers=auth()), 422, "ends_on")
    moved = client.patch(
        f"{URL}/{period['id']}", json={"starts_on": "2026-04-01", "ends_on": "2026-06-30"}, headers=auth()
    )
    assert moved.status_code == 200 and moved.json()["starts_on"] == "2026-04-01"


@pytest.mark.parametrize("field", ["name", "starts_on", "ends_on"])
def test_patch_cannot_null_a_required_field(client, field):
    period = make_period(client)
    problem(client.patch(f"{URL}/{period['id']}", json={field: None}, headers=auth()), 422, field)


def test_patch_blank_name_is_422(client):
    period = make_period(client)
    problem(client.patch(f"{URL}/{period['id']}", json={"name": "  "}, headers=auth()), 422, "name")


# --- archive, restore, filters -------------------------------------------------------------------


def test_archive_and_restore(client):
    period = make_period(client)
    archived = client.post(f"{URL}/{period['id']}/archive", headers=auth())
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert client.get(URL, headers=auth()).json()["count"] == 0
    only_archived = client.get(URL, params={"archived": True}, headers=auth()).json()["data"]
    assert [p["id"] for p in only_archived] == [period["id"]]
    restored = client.post(f"{URL}/{period['id']}/restore", headers=auth())
    assert restored.status_code == 200 and restored.json()["archived"] is False
    assert client.get(URL, headers=auth()).json()["count"] == 1


def test_archived_all_lists_both(client):
    make_period(client, name="Live")
    gone = make_period(client, name="Gone")
    client.post(f"{URL}/{gone['id']}/archive", headers=auth())
    assert client.get(URL, params={"archived": "all"}, headers=auth()).json()["count"] == 2
    assert client.get(URL, params={"archived": False}, headers=auth()).json()["count"] == 1


def test_active_on_lists_the_periods_covering_that_day(client):
    q1 = make_period(client, name="Q1", starts_on="2026-01-01", ends_on="2026-03-31")
    q2 = make_period(client, name="Q2", starts_on="2026-04-01", ends_on="2026-06-30")
    h1 = make_period(client, name="H1", starts_on="2026-01-01", ends_on="2026-06-30")

    def active(day: str) -> list[int]:
        return [p["id"] for p in client.get(URL, params={"active_on": day}, headers=auth()).json()["data"]]

    assert active("2026-03-31") == [q1["id"], h1["id"]]
    assert active("2026-04-01") == [h1["id"], q2["id"]]  # by starts_on
    assert active("2026-07-01") == []
    problem(client.get(URL, params={"active_on": "soon"}, headers=auth()), 422, "active_on")


# --- pagination and sort -------------------------------------------------------------------------


def test_default_sort_is_starts_on_then_id(client):
    late = make_period(client, name="A late", starts_on="2026-07-01", ends_on="2026-09-30")
    early = make_period(client, name="B early", starts_on="2026-01-01", ends_on="2026-03-31")
    twin = make_period(client, name="C early twin", starts_on="2026-01-01", ends_on="2026-02-28")
    ids = [p["id"] for p in client.get(URL, headers=auth()).json()["data"]]
    assert ids == [early["id"], twin["id"], late["id"]]


def test_pagination_and_sort(client):
    made = [
        make_period(
            client,
            name=f"P{i}",
            starts_on=f"2026-0{i}-01",
            ends_on=f"2026-0{i}-28",
            capacity_hours=None if i == 3 else 10 * i,
        )
        for i in range(1, 6)
    ]
    page = client.get(URL, params={"limit": 2, "offset": 2}, headers=auth()).json()
    assert page["count"] == 5 and page["limit"] == 2 and page["offset"] == 2
    assert [p["name"] for p in page["data"]] == ["P3", "P4"]
    newest_first = client.get(URL, params={"sort": "-starts_on"}, headers=auth()).json()["data"]
    assert [p["id"] for p in newest_first] == [p["id"] for p in reversed(made)]
    by_capacity = client.get(URL, params={"sort": "-capacity_hours"}, headers=auth()).json()["data"]
    assert [p["name"] for p in by_capacity] == ["P5", "P4", "P2", "P1", "P3"]  # no capacity sorts last
    by_name = client.get(URL, params={"sort": "name", "limit": 1, "offset": 4}, headers=auth()).json()
    assert [p["name"] for p in by_name["data"]] == ["P5"] and by_name["count"] == 5


@pytest.mark.parametrize(
    "params, field",
    [
        ({"sort": "workspace_id"}, "sort"),
        ({"sort": "-nope"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_bad_paging_is_422_naming_the_parameter(client, params, field):
    problem(client.get(URL, params=params, headers=auth()), 422, field)


# --- roles, workspaces, identity -----------------------------------------------------------------


def test_periods_keep_the_scoping_contract(client):
    mine = make_period(client)
    path = f"{URL}/{mine['id']}"
    check_contract(
        client,
        path,
        creates=[("POST", URL, {"name": "X", "starts_on": "2026-01-01", "ends_on": "2026-01-02"})],
        writes=[
            ("PATCH", path, {"name": "Mine now"}),
            ("POST", f"{path}/archive"),
            ("POST", f"{path}/restore"),
        ],
        owner=auth(),
        viewer=auth(Role.viewer),
        foreign=auth(workspace_id=2),
        missing=f"{URL}/999999",
    )


def test_another_workspaces_periods_are_not_listed(client):
    make_period(client, workspace_id=2, name="Their Q1")
    assert client.get(URL, headers=auth()).json()["count"] == 0
    assert client.get(URL, headers=auth(workspace_id=2)).json()["count"] == 1


def test_expired_identity_is_401(client):
    body = problem(client.get(URL, headers=auth(now=time.time() - 3600)), 401)
    assert "expired" in body["detail"]


def test_identity_signed_with_another_key_is_401(client):
    problem(client.get(URL, headers=auth(key="not-the-gateway")), 401)
