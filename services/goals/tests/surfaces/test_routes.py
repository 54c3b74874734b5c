"""Surfaces through service.py and through the HTTP API of the goals service."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlmodel import Session

from kit.roles import Role
from kit.testing import auth, check_contract, problem
from services.goals.surfaces import service

URL = "/api/v1/surfaces"
# The short test key is the point of a test; production keys are 48 random bytes.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def make_surface(client, workspace_id: int = 1, **overrides) -> dict:
    data = {
        "name": "nordvikoutdoor.no",
        "kind": "website",
        "url": "https://www.nordvikoutdoor.no",
        "cadence": "quarterly",
        "period_start": "2026-01-01",
    }
    resp = client.post(URL, json={**data, **overrides}, headers=auth(workspace_id=workspace_id))
    assert resp.status_code == 201, resp.text
    return resp.json()


def names(resp) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [s["name"] for s in resp.json()["data"]]


# --- create, get, list ---------------------------------------------------------------------------


def test_create_then_get_and_list(client):
    created = make_surface(client, name="  Nettbutikk ", kind="web_shop", owner_id=4, cadence="monthly")
    assert created["name"] == "Nettbutikk" and created["kind"] == "web_shop" and created["owner_id"] == 4
    assert created["cadence"] == "monthly" and created["archived"] is False
    assert date.fromisoformat(created["next_measurement"]) > date.today()
    assert client.get(f"{URL}/{created['id']}", headers=auth()).json() == created
    listed = client.get(URL, headers=auth()).json()
    assert listed["count"] == 1 and listed["data"] == [created]
    assert listed["limit"] == 50 and listed["offset"] == 0


def test_empty_url_means_none_and_cadence_defaults_to_quarterly(client):
    resp = client.post(
        URL, json={"name": "Intranet", "kind": "intranet", "url": "", "period_start": "2026-01-01"}, headers=auth()
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["url"] is None and resp.json()["cadence"] == "quarterly"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"kind": "blog"}, "kind"),
        ({"url": "ftp://files.example"}, "url"),
        ({"url": "www.example.com"}, "url"),
        ({"cadence": "weekly"}, "cadence"),
        ({"period_start": "soon"}, "period_start"),
        ({"period_start": None}, "period_start"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, overrides, field):
    data = {"name": "Web", "kind": "website", "period_start": "2026-01-01", **overrides}
    problem(client.post(URL, json=data, headers=auth()), 422, field)
    assert client.get(URL, headers=auth()).json()["count"] == 0


def test_unknown_id_is_404(client):
    problem(client.get(f"{URL}/999", headers=auth()), 404)


# --- patch ---------------------------------------------------------------------------------------


def test_patch_changes_only_what_was_sent(client):
    surface = make_surface(client, owner_id=4)
    resp = client.patch(f"{URL}/{surface['id']}", json={"cadence": "monthly", "url": None}, headers=auth())
    assert resp.status_code == 200, resp.text
    changed = resp.json()
    assert changed["cadence"] == "monthly" and changed["url"] is None
    assert changed["name"] == surface["name"] and changed["owner_id"] == 4
    assert changed["updated_at"] >= surface["updated_at"]


def test_patch_checks_the_url(client):
    surface = make_surface(client)
    problem(client.patch(f"{URL}/{surface['id']}", json={"url": "javascript:alert(1)"}, headers=auth()), 422, "url")


@pytest.mark.parametrize("field", ["name", "kind", "cadence", "period_start"])
def test_patch_cannot_null_a_required_field(client, field):
    surface = make_surface(client)
    problem(client.patch(f"{URL}/{surface['id']}", json={field: None}, headers=auth()), 422, field)
    assert client.get(f"{URL}/{surface['id']}", headers=auth()).json()[field] == surface[field]


def test_patch_null_names_the_field(client):
    surface = make_surface(client)
    problem(client.patch(f"{URL}/{surface['id']}", json={"name": None}, headers=auth()), 422, "name")


def test_patch_blank_name_is_422(client):
    surface = make_surface(client)
    problem(client.patch(f"{URL}/{surface['id']}", json={"name": "   "}, headers=auth()), 422, "name")


def test_patch_stores_the_stripped_name(client, engine):
    surface = make_surface(client)
    assert client.patch(f"{URL}/{surface['id']}", json={"name": "  Web  "}, headers=auth()).status_code == 200
    with Session(engine) as session:
        assert service.get_surface(session=session, workspace_id=1, surface_id=surface["id"]).name == "Web"


# --- archive, restore, filters -------------------------------------------------------------------


def test_archive_and_restore(client):
    surface = make_surface(client)
    archived = client.post(f"{URL}/{surface['id']}/archive", headers=auth())
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert names(client.get(URL, headers=auth())) == []
    assert names(client.get(URL, params={"archived": True}, headers=auth())) == [surface["name"]]
    restored = client.post(f"{URL}/{surface['id']}/restore", headers=auth())
    assert restored.status_code == 200 and restored.json()["archived"] is False
    assert names(client.get(URL, headers=auth())) == [surface["name"]]


def test_archived_can_list_all(client):
    make_surface(client, name="Live")
    gone = make_surface(client, name="Gone")
    client.post(f"{URL}/{gone['id']}/archive", headers=auth())
    assert client.get(URL, params={"archived": "all"}, headers=auth()).json()["count"] == 2


def test_filters(client):
    make_surface(client, name="nordvikoutdoor.no")
    make_surface(client, name="Nettbutikk", kind="web_shop")
    make_surface(client, name="Facebook", kind="social_media", url="https://www.facebook.com/nordvik")
    make_surface(client, name="Instagram", kind="social_media", url=None)
    assert names(client.get(URL, params={"kind": "social_media"}, headers=auth())) == ["Facebook", "Instagram"]
    assert names(client.get(URL, params={"q": "NORDVIK"}, headers=auth())) == ["nordvikoutdoor.no"]
    assert names(client.get(URL, params={"q": "book"}, headers=auth())) == ["Facebook"]
    problem(client.get(URL, params={"kind": "blog"}, headers=auth()), 422, "kind")


def test_q_is_literal(client):
    make_surface(client, name="Web")
    assert names(client.get(URL, params={"q": "%"}, headers=auth())) == []


# --- pagination and sort -------------------------------------------------------------------------


def test_pagination_and_sort(client):
    for name, cadence in [
        ("delta", "yearly"),
        ("alpha", "monthly"),
        ("charlie", "quarterly"),
        ("bravo", "monthly"),
        ("echo", "half_yearly"),
    ]:
        make_surface(client, name=name, cadence=cadence)
    assert names(client.get(URL, headers=auth())) == ["alpha", "bravo", "charlie", "delta", "echo"]
    page = client.get(URL, params={"limit": 2, "offset": 2}, headers=auth()).json()
    assert page["count"] == 5 and page["limit"] == 2 and page["offset"] == 2
    assert [s["name"] for s in page["data"]] == ["charlie", "delta"]
    assert names(client.get(URL, params={"sort": "-name"}, headers=auth())) == [
        "echo",
        "delta",
        "charlie",
        "bravo",
        "alpha",
    ]
    by_cadence = names(client.get(URL, params={"sort": "cadence"}, headers=auth()))
    assert by_cadence == ["echo", "alpha", "bravo", "charlie", "delta"]  # enum stored as text, then by id


@pytest.mark.parametrize(
    "params, field",
    [
        ({"sort": "url"}, "sort"),
        ({"sort": "-workspace_id"}, "sort"),
        ({"sort": "--name"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_bad_paging_is_422_naming_the_parameter(client, params, field):
    problem(client.get(URL, params=params, headers=auth()), 422, field)


# --- roles, workspaces, identity -----------------------------------------------------------------


def test_surfaces_keep_the_scoping_contract(client):
    mine = make_surface(client)
    path = f"{URL}/{mine['id']}"
    check_contract(
        client,
        path,
        creates=[("POST", URL, {"name": "App", "kind": "app", "period_start": "2026-01-01"})],
        writes=[("PATCH", path, {"name": "Mine now"}), ("POST", f"{path}/archive"), ("POST", f"{path}/restore")],
        owner=auth(),
        viewer=auth(Role.viewer),
        foreign=auth(workspace_id=2),
        missing=f"{URL}/999999",
    )


def test_a_viewer_lists_the_workspaces_surfaces(client):
    surface = make_surface(client)
    assert names(client.get(URL, headers=auth(Role.viewer))) == [surface["name"]]


def test_another_workspaces_surfaces_are_not_listed(client):
    make_surface(client, workspace_id=2, name="Their site")
    assert client.get(URL, headers=auth()).json()["count"] == 0
    assert names(client.get(URL, headers=auth(workspace_id=2))) == ["Their site"]


def test_missing_identity_is_401_on_the_list(client):
    problem(client.get(URL), 401)


def test_expired_identity_is_401(client):
    body = problem(client.get(URL, headers=auth(now=time.time() - 3600)), 401)
    assert "expired" in body["detail"]


def test_identity_signed_with_another_key_is_401(client):
    problem(client.get(URL, headers=auth(key="not-the-gateway")), 401)
