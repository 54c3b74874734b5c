"""Calendar feeds through the gateway, as a calendar app reads them (the URL alone, no session or token): a
person's deadlines with SEQUENCE rising when a deadline is moved through the API, the workspace's publish dates
and measurement cycles, and a feed that ends when its owner leaves the workspace."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from tests.test_workflows_api import start
from tests.workflow_support import add_members


@pytest.fixture
def people(account):
    return add_members(account, ["Anna", "Ben", "Cara", "Dan"])


def feed(client, person, kind: str) -> str:
    made = client.post(f"/api/v1/calendars/{kind}", headers=person.headers())
    assert made.status_code == 201, made.text
    return "/calendar/" + made.json()["url"].rsplit("/", 1)[1]


def read(client, path: str) -> dict[str, dict]:
    answer = client.get(path)  # the live client sends no credentials of its own
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(answer.content)
    return {str(e["uid"]): {"start": e.decoded("dtstart"), "end": e.decoded("dtend"), "sequence": int(e["sequence"]),
                            "summary": str(e["summary"])} for e in cal.walk("VEVENT")}  # fmt: skip


def test_a_moved_deadline_bumps_sequence_in_the_personal_feed(client, account, people):
    _, run = start(client, account, people)
    anna = people["Anna"]
    path = feed(client, anna, "personal")
    mine = [t for t in run["tasks"] if t["owner_id"] == anna.user_id]
    before = read(client, path)
    assert len(before) == len(mine) and all(e["sequence"] == 0 for e in before.values())
    task = mine[0]
    moved = date.fromisoformat(task["due_on"]) + timedelta(days=3)
    answer = client.patch(f"/api/v1/tasks/{task['id']}", json={"due_on": moved.isoformat()}, headers=account.headers())
    assert answer.status_code == 200, answer.text
    after = read(client, path)
    uid = next(u for u in after if u.startswith(f"task-{task['id']}@"))
    assert after[uid]["start"] == moved and after[uid]["sequence"] == 1
    assert sum(e["sequence"] for e in after.values()) == 1
    assert read(client, feed(client, people["Ben"], "personal")).keys().isdisjoint(after.keys())


def test_the_workspace_feed_has_publish_dates_and_measurement_cycles(client, account, people):
    _, run = start(client, account, people, publish=date.today() + timedelta(days=20))
    surface = client.post(
        "/api/v1/surfaces", headers=account.headers(),
        json={"name": "Web shop", "kind": "web_shop", "cadence": "monthly", "period_start": "2026-01-01"},
    ).json()  # fmt: skip
    cycle = client.post(
        "/api/v1/cycles", json={"surface_id": surface["id"], "period": "current"}, headers=account.headers()
    )
    assert cycle.status_code == 201, cycle.text
    found = read(client, feed(client, people["Dan"], "workspace"))
    publish = next(e for u, e in found.items() if u.startswith(f"run-{run['id']}-publish@"))
    assert publish["start"] == date.today() + timedelta(days=20)
    period = next(e for u, e in found.items() if u.startswith(f"cycle-{cycle.json()['id']}@"))
    assert period["start"] == date.fromisoformat(cycle.json()["period_start"])
    assert period["end"] == date.fromisoformat(cycle.json()["period_end"]) + timedelta(days=1)
    assert "Web shop" in period["summary"]


def test_a_feed_ends_when_its_owner_leaves_the_workspace(client, account, people):
    path = feed(client, people["Cara"], "personal")
    read(client, path)
    gone = client.delete(
        f"/api/v1/workspaces/{account.workspace_id}/members/{people['Cara'].user_id}", headers=account.headers()
    )
    assert gone.status_code == 204, gone.text
    assert client.get(path).status_code == 404
    assert client.get("/calendar/cal_" + "x" * 43 + ".ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
