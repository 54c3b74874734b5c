"""Connectors through their HTTP API: scoping, roles, write-only credentials sealed at rest, feeds, runs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from kit.roles import Role
from kit.testing import Signed, auth, check_contract, problem
from services.metrics.connectors import crypto, service
from services.metrics.tests.connectors.conftest import KEY_A, KEY_B
from services.metrics.tests.connectors.helpers import (
    ADMIN,
    SECRET,
    URL,
    add_feed,
    make_connector,
    make_kpi,
    pull,
    values,
)
from services.metrics.tests.connectors.recorded import plausible_query

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
PLAUSIBLE = {"site_id": "example.com"}


def raw_credentials(engine, connector_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT credentials_encrypted FROM connectors WHERE id = :id"), {"id": connector_id}
        ).scalar()


def test_credentials_are_write_only_and_sealed_at_rest(client, engine):
    made = make_connector(client, "plausible", PLAUSIBLE, {"api_key": SECRET})
    assert made["credentials_set"] == ["api_key"]
    for resp in (client.get(f"{URL}/{made['id']}", headers=ADMIN), client.get(URL, headers=ADMIN)):
        assert SECRET not in resp.text and "credentials_encrypted" not in resp.text
    stored = raw_credentials(engine, made["id"])
    assert SECRET not in stored and stored.startswith("v1.")
    assert crypto.key_ring().open(stored, workspace_id=1) == {"api_key": SECRET}
    with pytest.raises(crypto.CredentialsError):  # bound to its workspace
        crypto.key_ring().open(stored, workspace_id=2)
    schema = client.app.openapi()["components"]["schemas"]["ConnectorCreate"]["properties"]["credentials"]
    assert schema.get("writeOnly") is True


def test_replacing_a_credential_changes_only_that_one(client, engine):
    made = make_connector(
        client, "matomo", {"base_url": "http://127.0.0.1:9", "site_id": "1"}, {"token_auth": "a" * 32}
    )
    before = raw_credentials(engine, made["id"])
    resp = client.patch(f"{URL}/{made['id']}", json={"name": "Matomo"}, headers=ADMIN)
    assert resp.status_code == 200 and raw_credentials(engine, made["id"]) == before
    resp = client.patch(f"{URL}/{made['id']}", json={"credentials": {"token_auth": "b" * 32}}, headers=ADMIN)
    assert resp.status_code == 200, resp.text
    assert crypto.key_ring().open(raw_credentials(engine, made["id"]), workspace_id=1) == {"token_auth": "b" * 32}
    problem(
        client.patch(f"{URL}/{made['id']}", json={"credentials": {"token_auth": ""}}, headers=ADMIN),
        422,
        "credentials.token_auth",
    )


def test_key_rotation_opens_with_the_old_key_and_re_encrypts(client, engine, connector_env):
    made = make_connector(client, "plausible", PLAUSIBLE, {"api_key": SECRET})
    old = raw_credentials(engine, made["id"])
    connector_env.setenv("EFFEKT_METRICS_CONNECTOR_KEYS", f"{KEY_B},{KEY_A}")
    from services.metrics.connectors.config import connector_settings

    connector_settings.cache_clear()
    crypto.key_ring.cache_clear()
    assert crypto.key_ring().open(old, workspace_id=1) == {"api_key": SECRET}
    from sqlmodel import Session

    with Session(engine) as session:
        assert service.rotate_credentials(session=session) == 1
        session.commit()
        assert service.rotate_credentials(session=session) == 0  # all under the new key now
    new = raw_credentials(engine, made["id"])
    assert new != old and crypto.KeyRing([KEY_B]).open(new, workspace_id=1) == {"api_key": SECRET}
    with pytest.raises(crypto.CredentialsError):
        crypto.KeyRing([KEY_A]).open(new, workspace_id=1)


def test_required_settings_and_credentials_are_422_naming_them(client):
    bad = {"name": "P", "kind": "plausible", "settings": {}, "credentials": {"api_key": "x"}}
    problem(client.post(URL, json=bad, headers=ADMIN), 422, "settings.site_id")
    bad = {"name": "P", "kind": "plausible", "settings": PLAUSIBLE, "credentials": {}}
    problem(client.post(URL, json=bad, headers=ADMIN), 422, "credentials.api_key")
    bad = {"name": "P", "kind": "plausible", "settings": {**PLAUSIBLE, "nope": 1}, "credentials": {"api_key": "x"}}
    problem(client.post(URL, json=bad, headers=ADMIN), 422, "settings.nope")
    bad = {
        "name": "P",
        "kind": "plausible",
        "settings": {**PLAUSIBLE, "base_url": "ftp://x"},
        "credentials": {"api_key": "x"},
    }
    problem(client.post(URL, json=bad, headers=ADMIN), 422, "settings.base_url")


def test_scoping_and_roles(client):
    made = make_connector(client, "plausible", PLAUSIBLE, {"api_key": SECRET})
    kpi = make_kpi(client)
    feed = add_feed(client, made["id"], kpi["id"], "visitors")
    record = f"{URL}/{made['id']}"
    feed_url = f"{record}/feeds/{feed['id']}"
    check_contract(
        client,
        record,
        writes=[
            ("PATCH", record, {"name": "Renamed"}),
            ("POST", f"{record}/feeds", {"metric": "visits", "kpi_id": kpi["id"]}),
            ("PATCH", feed_url, {"filter": "/blog"}),
            ("DELETE", feed_url),
            ("POST", f"{record}/run"),
            ("POST", f"{record}/test"),
            ("DELETE", record),
        ],
        creates=[
            ("POST", URL, {"name": "X", "kind": "plausible", "settings": PLAUSIBLE, "credentials": {"api_key": "k"}})
        ],
        owner=ADMIN,
        viewer=Signed(Role.viewer),
        foreign=Signed(Role.admin, workspace_id=2),
        missing=f"{URL}/999999",
    )
    for path in (f"{record}/feeds", f"{record}/runs", feed_url):
        problem(client.get(path, headers=auth(workspace_id=2)), 404)
    problem(
        client.post(
            URL,
            json={"name": "X", "kind": "plausible", "settings": PLAUSIBLE, "credentials": {"api_key": "k"}},
            headers=auth(Role.editor),
        ),
        403,
    )


def test_a_feed_needs_a_kpi_of_the_workspace_and_a_metric_of_the_kind(client):
    made = make_connector(client, "plausible", PLAUSIBLE, {"api_key": SECRET})
    theirs = make_kpi(client, workspace_id=2)
    mine = make_kpi(client)
    url = f"{URL}/{made['id']}/feeds"
    problem(client.post(url, json={"metric": "visitors", "kpi_id": theirs["id"]}, headers=auth()), 422, "kpi_id")
    problem(client.post(url, json={"metric": "revenue", "kpi_id": mine["id"]}, headers=auth()), 422, "metric")
    problem(client.post(url, json={"metric": "conversions", "kpi_id": mine["id"]}, headers=auth()), 422, "filter")
    add_feed(client, made["id"], mine["id"], "visitors")
    problem(client.post(url, json={"metric": "visits", "kpi_id": mine["id"]}, headers=auth()), 409)


def test_a_run_writes_values_once_and_a_re_pull_replaces(client, engine, vendor):
    vendor.on("POST", "/api/v2/query", plausible_query)
    made = make_connector(client, "plausible", PLAUSIBLE, {"api_key": SECRET})
    kpi = make_kpi(client)
    add_feed(client, made["id"], kpi["id"], "visitors", backfill_days=9)
    from services.metrics.tests.connectors.helpers import at

    run = pull(engine, made["id"], "manual:a", now=at("2026-03-10T08:00:00"))
    assert run.status == "ok" and run.stored == 10
    first = values(engine)
    assert first[0] == (kpi["id"], "day", "2026-03-01", first[0][3], "connector") and len(first) == 10
    assert pull(engine, made["id"], "manual:a") is None  # the same key never runs twice
    again = pull(engine, made["id"], "manual:b", now=at("2026-03-10T09:00:00"))
    assert again.stored == 4  # after the backfill: the last three days and today
    assert values(engine) == first
    runs = client.get(f"{URL}/{made['id']}/runs", headers=auth()).json()
    assert [r["stored"] for r in runs["data"]] == [4, 10]


def test_secrets_stay_out_of_logs_errors_and_answers(client, engine, vendor, caplog):
    caplog.set_level(logging.DEBUG)
    # a vendor that echoes the token back in its error
    from services.metrics.tests.connectors.vendor import Answer

    vendor.on("POST", "/api/v2/query", Answer(401, {"error": f"Invalid API key {SECRET}"}))
    made = make_connector(client, "plausible", PLAUSIBLE, {"api_key": SECRET})
    kpi = make_kpi(client)
    add_feed(client, made["id"], kpi["id"], "visitors")
    run = pull(engine, made["id"])
    assert run.status == "failed" and "Plausible answered 401" in run.error and SECRET not in run.error
    tested = client.post(f"{URL}/{made['id']}/test", headers=auth())
    assert tested.json()["ok"] is False and SECRET not in tested.text
    assert SECRET not in client.get(f"{URL}/{made['id']}", headers=auth()).text
    assert SECRET not in caplog.text
    assert all(SECRET not in str(r.args) for r in caplog.records)
    assert any(SECRET in s.headers.get("authorization", "") for s in vendor.seen)  # it was sent, in a header


def test_deleting_a_connector_keeps_its_values(client, engine, vendor):
    vendor.on("POST", "/api/v2/query", plausible_query)
    made = make_connector(client, "plausible", PLAUSIBLE, {"api_key": SECRET})
    kpi = make_kpi(client)
    add_feed(client, made["id"], kpi["id"], "visitors", backfill_days=2)
    pull(engine, made["id"])
    stored = values(engine)
    assert client.delete(f"{URL}/{made['id']}", headers=ADMIN).status_code == 204
    problem(client.get(f"{URL}/{made['id']}", headers=ADMIN), 404)
    assert values(engine) == stored and stored


def test_a_base_url_inside_the_network_is_refused_unless_the_operator_allows_it(client, monkeypatch):
    """A workspace may not point a connector at the machine's own or its network's services (SSRF)."""
    from kit.settings import common

    monkeypatch.setenv("EFFEKT_OUTBOUND_ALLOW", "")
    common.cache_clear()
    try:
        for url in ("http://127.0.0.1:8002", "http://169.254.169.254", "http://10.0.0.5:8080", "http://[::1]:9"):
            body = {
                "kind": "matomo",
                "name": "Inside",
                "settings": {"base_url": url, "site_id": "1"},
                "credentials": {"token_auth": "a" * 32},
            }
            answer = problem(client.post(URL, json=body, headers=ADMIN), 422, "settings.base_url")
            assert "private, loopback or link-local" in str(answer["errors"]), answer
    finally:
        monkeypatch.setenv("EFFEKT_OUTBOUND_ALLOW", "loopback")
        common.cache_clear()
