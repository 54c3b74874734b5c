"""Notifications across the live stack: a cycle opened in the metrics service reaches the owners of its KPIs'
inboxes through the metrics outbox, the Redis queue and the tasks worker; the inbox API keeps its scope."""

from __future__ import annotations

import time

from tests.workflow_support import add_members


def wait_for(fn, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = fn()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"nothing after {timeout} s")


def test_an_opened_cycle_reaches_the_kpi_owners_inbox(client, account):
    people = add_members(account, ["Kari", "Lars"])
    kari, lars = people["Kari"], people["Lars"]
    h = account.headers()
    surface = client.post(
        "/api/v1/surfaces",
        json={"name": "Web shop", "kind": "web_shop", "cadence": "monthly", "period_start": "2026-01-01"},
        headers=h,
    ).json()
    for name, owner in (("Visits", kari), ("Orders", kari), ("NPS", lars)):
        kpi = {"name": name, "category": "result", "unit": "number", "aggregation": "sum", "owner_id": owner.user_id}
        answer = client.post("/api/v1/kpis", json={**kpi, "surface_id": surface["id"]}, headers=h)
        assert answer.status_code == 201, answer.text
    cycle = client.post("/api/v1/cycles", json={"surface_id": surface["id"], "period": "current"}, headers=h)
    assert cycle.status_code == 201, cycle.text
    cycle_id = cycle.json()["id"]

    def inbox(person, lang="en"):
        body = client.get("/api/v1/notifications", params={"lang": lang}, headers=person.headers()).json()
        return [n for n in body["data"] if n["kind"] == "cycle_opened"]

    [mine] = wait_for(lambda: inbox(kari))  # one for Kari, who owns two of its KPIs
    assert mine["link"] == f"/cycles/{cycle_id}" and mine["text"].startswith("The measurement cycle Web shop ")
    [theirs] = wait_for(lambda: inbox(lars, "nb"))
    assert theirs["text"].startswith("Målesyklusen Web shop ")
    assert inbox(account) == []  # the one who opened it owns none of its KPIs
    assert client.get(f"/api/v1/notifications/{mine['id']}", headers=lars.headers()).status_code == 404
    assert client.post(f"/api/v1/notifications/{mine['id']}/read", headers=kari.headers()).status_code == 204
    assert client.get("/api/v1/notifications/unread-count", headers=kari.headers()).json() == {"count": 0}


def test_the_recipients_route_answers_for_members_of_the_signed_workspace_only(live, account, other_account):
    import httpx

    from kit.principal import IDENTITY_HEADER, Principal, sign_identity
    from kit.roles import Role
    from kit.settings import common

    url = f"{live.base_url}/internal/gateway/recipients"
    ids = [account.user_id, other_account.user_id]
    token = sign_identity(
        common().resolved_signing_key(),
        Principal(user_id=account.user_id, workspace_id=account.workspace_id, role=Role.viewer),
    )
    body = httpx.get(url, params={"user_id": ids}, headers={IDENTITY_HEADER: token}).json()
    assert [r["user_id"] for r in body["data"]] == [account.user_id] and body["data"][0]["email"] == account.email
    assert body["timezone"] == "Europe/Oslo"
    assert httpx.get(url, params={"user_id": ids}).status_code == 401  # no identity, no addresses
