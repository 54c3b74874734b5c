"""The public API through the gateway: tokens, workspace isolation, roles, problem+json."""

from __future__ import annotations

from datetime import UTC

import pytest

from kit.testing import check_contract
from tests import support

SURFACE = {
    "name": "Main website",
    "kind": "website",
    "url": "https://example.com",
    "cadence": "monthly",
    "period_start": "2026-01-01",
}


def test_token_identifies_caller_workspace_and_role(client, account):
    r = client.get("/api/v1/me", headers=account.headers())
    assert r.status_code == 200
    body = r.json()
    assert body["user"]["email"] == account.email
    assert body["workspace"]["slug"] == account.slug
    assert body["role"] == "admin"
    assert body["via"] == "token"


@pytest.mark.parametrize("auth", [None, "Bearer efk_not-a-token", "Basic abc", "Bearer"])
def test_missing_or_bad_token_is_401_problem(client, auth):
    headers = {"Authorization": auth} if auth else {}
    r = client.get("/api/v1/surfaces", headers=headers)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 401


def test_resource_round_trip_through_gateway(client, account):
    created = client.post("/api/v1/surfaces", json=SURFACE, headers=account.headers())
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    assert client.get(f"/api/v1/surfaces/{sid}", headers=account.headers()).json()["name"] == "Main website"
    listed = client.get("/api/v1/surfaces", headers=account.headers()).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == sid
    r = client.patch(f"/api/v1/surfaces/{sid}", json={"name": "Website"}, headers=account.headers())
    assert r.status_code == 200 and r.json()["name"] == "Website"


# Each resource of the API once: where it lives and a valid new record.
RESOURCES = {
    "surfaces": SURFACE,
    "kpis": {
        "name": "Visits",
        "unit": "number",
        "direction": "higher_is_better",
        "aggregation": "sum",
        "category": "result",
    },
    "periods": {"name": "Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"},
}


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_resource_keeps_to_its_workspace_and_its_roles(client, account, other_account, resource):
    """401 without a token, 404 for another workspace (like a missing id), 403 for a viewer's writes; no change."""
    base, body = f"/api/v1/{resource}", RESOURCES[resource]
    created = client.post(base, json=body, headers=account.headers())
    assert created.status_code == 201, created.text
    record = f"{base}/{created.json()['id']}"
    check_contract(
        client,
        record,
        writes=[("PATCH", record, {"name": "stolen"}), ("POST", f"{record}/archive"), ("POST", f"{record}/restore")],
        creates=[("POST", base, body)],
        owner=account.headers(),
        viewer=support.viewer_headers(account),
        foreign=other_account.headers(),
        missing=f"{base}/999999999",
    )
    assert client.get(base, headers=other_account.headers()).json()["count"] == 0


def test_invalid_input_names_the_field_and_stores_nothing(client, account):
    bad = {**SURFACE, "kind": "spaceship", "url": "ftp://nope"}
    r = client.post("/api/v1/surfaces", json=bad, headers=account.headers())
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"kind", "url"} <= fields
    assert client.get("/api/v1/surfaces", headers=account.headers()).json()["count"] == 0


def test_unknown_resource_is_404_problem(client, account):
    r = client.get("/api/v1/nothing-here", headers=account.headers())
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_revoked_and_expired_tokens_stop_working(client, account):
    from datetime import datetime, timedelta

    from sqlmodel import select

    from gateway import tokens
    from gateway.models import ApiToken
    from kit.roles import Role

    def revoke(session):
        token = session.exec(select(ApiToken).where(ApiToken.workspace_id == account.workspace_id)).one()
        tokens.revoke_token(
            session=session,
            workspace_id=account.workspace_id,
            token_id=token.id,
            actor_id=token.user_id,
            actor_role=Role.viewer,
        )

    assert client.get("/api/v1/me", headers=account.headers()).status_code == 200
    support.gateway_db(revoke)
    assert client.get("/api/v1/me", headers=account.headers()).status_code == 401

    other = support.make_account()

    def expire(session):
        token = session.exec(select(ApiToken).where(ApiToken.workspace_id == other.workspace_id)).one()
        token.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(token)

    support.gateway_db(expire)
    assert client.get("/api/v1/me", headers=other.headers()).status_code == 401


def test_request_id_is_passed_through_and_echoed(client, account):
    r = client.get("/api/v1/surfaces", headers={**account.headers(), "X-Request-ID": "trace-abc-123"})
    assert r.headers["x-request-id"] == "trace-abc-123"


def test_merged_openapi_covers_gateway_and_every_service(client, live):
    from tests.test_api_contract import complete_document

    doc = complete_document(live)  # a busy machine may give the services' parts late at first
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/me", "/api/v1/surfaces", "/api/v1/surfaces/{surface_id}", "/api/v1/kpis", "/api/v1/periods"):
        assert path in doc["paths"], path
    assert "apiToken" in doc["components"]["securitySchemes"]
    assert "x-effekt-unavailable" not in doc["info"]
    assert client.get("/api/docs").status_code == 200


def test_gateway_health_reports_each_service(client):
    body = client.get("/healthz").json()
    assert body["gateway"] == "up"
    assert set(body["services"]) == {"goals", "tasks", "metrics"}
    assert all(s["status"] == "up" for s in body["services"].values())
    assert client.get("/readyz").status_code == 200


def test_stopped_service_gives_503_problem_not_a_hang(client, account, live):
    import time

    support.stop_service(live, "goals")
    try:
        started = time.monotonic()
        r = client.get("/api/v1/surfaces", headers=account.headers())
        elapsed = time.monotonic() - started
        assert r.status_code == 503
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "goals" in r.json()["detail"]
        assert elapsed < 5
        assert client.get("/healthz").json()["services"]["goals"]["status"] == "down"
        assert client.get("/api/v1/kpis", headers=account.headers()).status_code == 200  # the rest still works
    finally:
        support.start_service(live, "goals")
    assert client.get("/api/v1/surfaces", headers=account.headers()).status_code == 200


def test_internal_route_needs_a_signed_identity_and_keeps_the_workspace(client, account, other_account):
    from kit.identity import IDENTITY_HEADER, Principal, sign_identity
    from kit.roles import Role
    from kit.settings import common

    sid = client.post("/api/v1/surfaces", json=SURFACE, headers=account.headers()).json()["id"]
    assert client.get(f"/internal/goals/api/v1/surfaces/{sid}", headers=account.headers()).status_code == 401
    key = common().resolved_signing_key()
    mine = sign_identity(key, Principal(user_id=account.user_id, workspace_id=account.workspace_id, role=Role.viewer))
    theirs = sign_identity(
        key, Principal(user_id=other_account.user_id, workspace_id=other_account.workspace_id, role=Role.admin)
    )
    assert client.get(f"/internal/goals/api/v1/surfaces/{sid}", headers={IDENTITY_HEADER: mine}).status_code == 200
    assert client.get(f"/internal/goals/api/v1/surfaces/{sid}", headers={IDENTITY_HEADER: theirs}).status_code == 404
    assert client.post("/internal/goals/api/v1/surfaces", headers={IDENTITY_HEADER: mine}).status_code == 405
