"""The reminders API: a task's reminders for the run page, and the workspace's working hours and escalation."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from kit.roles import Role
from kit.testing import auth, problem
from services.tasks.tests.workflow_support import ANNA, PUBLISH, start_blog, task

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
START = datetime(2026, 5, 4, 12, tzinfo=UTC)
SETTINGS = "/api/v1/reminder-settings"


def test_a_tasks_reminders_are_listed_in_firing_order_and_scoped_to_the_workspace(engine, client):
    with Session(engine, expire_on_commit=False) as s:
        _, run = start_blog(s, PUBLISH, now=START)
        idea = task(s, run, "idea")
        s.commit()
    got = client.get(f"/api/v1/tasks/{idea.id}/reminders", headers=auth(user_id=ANNA))
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["count"] == 4
    assert [r["kind"] for r in body["data"]] == ["due_48h", "due_24h", "overdue", "escalated"]
    assert body["data"][0]["fire_at"].startswith("2026-05-22T08:00:00") and body["data"][0]["state"] == "pending"
    viewer = client.get(f"/api/v1/tasks/{idea.id}/reminders", headers=auth(Role.viewer))
    assert viewer.status_code == 200
    problem(client.get(f"/api/v1/tasks/{idea.id}/reminders", headers=auth(workspace_id=2)), 404)
    problem(client.get("/api/v1/tasks/999999/reminders", headers=auth()), 404)


def test_settings_default_to_eight_to_four_and_can_be_changed(client):
    assert client.get(SETTINGS, headers=auth()).json() == {
        "day_start": "08:00",
        "day_end": "16:00",
        "escalate_after_hours": 8,
        "timezone": "UTC",
    }
    put = client.put(
        SETTINGS, json={"day_start": "07:30", "day_end": "15:30", "escalate_after_hours": 16}, headers=auth()
    )
    assert put.status_code == 200, put.text
    assert client.get(SETTINGS, headers=auth()).json()["day_start"] == "07:30"
    assert client.get(SETTINGS, headers=auth(workspace_id=2)).json()["day_start"] == "08:00"  # per workspace


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"day_start": "8", "day_end": "16:00", "escalate_after_hours": 8}, "day_start"),
        ({"day_start": "08:00", "day_end": "24:00", "escalate_after_hours": 8}, "day_end"),
        ({"day_start": "16:00", "day_end": "08:00", "escalate_after_hours": 8}, "day_end"),
        ({"day_start": "08:00", "day_end": "16:00", "escalate_after_hours": 0}, "escalate_after_hours"),
        ({"day_start": "08:00", "day_end": "16:00", "escalate_after_hours": 8, "extra": 1}, "extra"),
    ],
)
def test_bad_settings_are_a_problem_naming_the_field(client, body, field):
    problem(client.put(SETTINGS, json=body, headers=auth()), 422, field)
    assert client.get(SETTINGS, headers=auth()).json()["day_start"] == "08:00"  # nothing half-written


def test_settings_need_an_identity_and_an_editor_to_change(client):
    good = {"day_start": "09:00", "day_end": "17:00", "escalate_after_hours": 4}
    problem(client.get(SETTINGS), 401)
    problem(client.put(SETTINGS, json=good), 401)
    problem(client.put(SETTINGS, json=good, headers=auth(Role.viewer)), 403)
    assert client.get(SETTINGS, headers=auth(Role.viewer)).json()["escalate_after_hours"] == 8
    assert client.put(SETTINGS, json=good, headers=auth()).status_code == 200
    assert client.get(SETTINGS, headers=auth(Role.viewer)).json()["escalate_after_hours"] == 4
