"""Ids in bodies that another service owns are checked with their owner, for the caller's workspace only."""

from __future__ import annotations

from kit.testing import problem
from tests.test_api import SURFACE

KPI = {"name": "Visits", "category": "result"}


def test_a_foreign_surface_or_owner_is_422_naming_the_field(client, account, other_account):
    mine = client.post("/api/v1/surfaces", json=SURFACE, headers=account.headers())
    assert mine.status_code == 201, mine.text
    theirs = other_account.headers()
    problem(
        client.post("/api/v1/kpis", json={**KPI, "surface_id": mine.json()["id"]}, headers=theirs), 422, "surface_id"
    )
    problem(client.post("/api/v1/kpis", json={**KPI, "owner_id": account.user_id}, headers=theirs), 422, "owner_id")
    problem(
        client.post("/api/v1/surfaces", json={**SURFACE, "owner_id": account.user_id}, headers=theirs), 422, "owner_id"
    )
    goal = {"title": "Grow", "level": "strategic_goal", "owner_id": account.user_id}
    problem(client.post("/api/v1/goals", json=goal, headers=theirs), 422, "owner_id")
    assert client.get("/api/v1/kpis", headers=theirs).json()["count"] == 0
    assert client.get("/api/v1/surfaces", headers=theirs).json()["count"] == 0


def test_own_surface_and_members_are_accepted_and_checked_on_change(client, account, other_account):
    surface = client.post("/api/v1/surfaces", json=SURFACE, headers=account.headers()).json()
    body = {**KPI, "surface_id": surface["id"], "owner_id": account.user_id}
    kpi = client.post("/api/v1/kpis", json=body, headers=account.headers())
    assert kpi.status_code == 201, kpi.text
    url = f"/api/v1/kpis/{kpi.json()['id']}"
    problem(client.patch(url, json={"owner_id": other_account.user_id}, headers=account.headers()), 422, "owner_id")
    assert client.patch(url, json={"owner_id": None, "surface_id": None}, headers=account.headers()).status_code == 200
    assert (
        client.post(
            "/api/v1/goals",
            json={"title": "Grow", "level": "strategic_goal", "owner_id": account.user_id},
            headers=account.headers(),
        ).status_code
        == 201
    )
