"""iCalendar feeds, parsed with the icalendar package as a calendar app would read them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from kit.roles import Role
from kit.testing import auth, problem
from services.tasks.calendars.config import settings
from services.tasks.calendars.models import CalendarFeed
from services.tasks.tasks.models import Task, TaskState
from services.tasks.tests.workflow_support import ANNA, BEN, start_blog


@pytest.fixture(autouse=True)
def public_url(monkeypatch):
    monkeypatch.setenv("EFFEKT_TASKS_PUBLIC_URL", "https://effekt.example")
    monkeypatch.setenv("EFFEKT_TASKS_CALENDAR_PAST_DAYS", "100000")  # the blog run's dates lie in the past
    settings.cache_clear()
    yield
    settings.cache_clear()


def blog(engine, publish=date(2026, 6, 26)):
    with Session(engine, expire_on_commit=False) as session:
        _, run = start_blog(session, publish)
        session.commit()
    return run


def issue(client, kind="personal", user_id=ANNA, **kw) -> str:
    resp = client.post(f"/api/v1/calendars/{kind}", headers=auth(Role.viewer, user_id=user_id, **kw))
    assert resp.status_code == 201, resp.text
    url = resp.json()["url"]
    assert url.startswith("https://effekt.example/calendar/cal_") and url.endswith(".ics")
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def read(client, token) -> Calendar:
    resp = client.get(f"/feeds/{token}.ics")  # no identity: the token is the credential
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(resp.content)


def events(cal: Calendar) -> dict[str, dict]:
    return {
        str(e["uid"]): {
            "start": e.decoded("dtstart"), "end": e.decoded("dtend"), "summary": str(e["summary"]),
            "url": str(e["url"]), "sequence": int(e["sequence"]), "status": str(e["status"]),
        }
        for e in cal.walk("VEVENT")
    }  # fmt: skip


def test_a_personal_feed_lists_my_deadlines_as_all_day_events(engine, client):
    run = blog(engine)
    token = issue(client)
    cal = read(client, token)
    assert str(cal["x-wr-calname"]) == "Effekt: my deadlines"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in cal.to_ical().decode()
    with Session(engine) as session:
        mine = session.exec(select(Task).where(Task.owner_id == ANNA)).all()
        theirs = session.exec(select(Task).where(Task.owner_id == BEN)).all()
    found = events(cal)
    assert set(found) == {f"task-{t.id}@effekt.example" for t in mine} and theirs
    task = mine[0]
    event = found[f"task-{task.id}@effekt.example"]
    assert event["start"] == task.due_on and event["end"] == task.due_on + timedelta(days=1)
    assert type(event["start"]) is date  # all day
    assert event["url"] == f"https://effekt.example/runs/{run.id}#task-{task.id}"
    assert event["sequence"] == 0 and task.title in event["summary"]
    assert set(events(read(client, issue(client, user_id=BEN)))) == {f"task-{t.id}@effekt.example" for t in theirs}


def test_a_moved_deadline_bumps_sequence_and_the_uid_stays(engine, client):
    blog(engine)
    token = issue(client)
    before = events(read(client, token))
    with Session(engine) as session:
        task = session.exec(select(Task).where(Task.owner_id == ANNA).order_by(Task.id)).first()
        task.due_on = task.due_on + timedelta(days=2)
        session.add(task)
        session.commit()
        uid, new_due = f"task-{task.id}@effekt.example", task.due_on
    after = events(read(client, token))
    assert after[uid]["start"] == new_due and after[uid]["sequence"] == before[uid]["sequence"] + 1
    assert all(after[u]["sequence"] == before[u]["sequence"] for u in before if u != uid)
    assert events(read(client, token))[uid]["sequence"] == 1  # reading again changes nothing
    with Session(engine) as session:
        task = session.get(Task, task.id)
        task.state = TaskState.skipped
        session.add(task)
        session.commit()
    again = events(read(client, token))[uid]
    assert again["sequence"] == 2 and again["status"] == "CANCELLED"


def test_rotating_and_revoking_end_the_old_url_and_only_a_hash_is_kept(engine, client):
    blog(engine)
    old = issue(client)
    new = issue(client)  # rotate
    problem(client.get(f"/feeds/{old}.ics"), 404)
    read(client, new)
    with Session(engine) as session:
        stored = [f.token_hash for f in session.exec(select(CalendarFeed)).all()]
    assert new not in stored and old not in stored and len(stored) == 2
    listed = client.get("/api/v1/calendars", headers=auth(Role.viewer, user_id=ANNA)).json()["data"]
    assert {f["kind"]: f["active"] for f in listed} == {"personal": True, "workspace": False}
    assert client.delete("/api/v1/calendars/personal", headers=auth(Role.viewer, user_id=ANNA)).status_code == 204
    problem(client.get(f"/feeds/{new}.ics"), 404)
    problem(client.delete("/api/v1/calendars/personal", headers=auth(Role.viewer, user_id=ANNA)), 404)
    problem(client.get("/feeds/cal_nonsense.ics"), 404)
    problem(client.post("/api/v1/calendars/nope", headers=auth(user_id=ANNA)), 422)
    problem(client.post("/api/v1/calendars/personal"), 401)


def test_the_workspace_feed_lists_anchor_dates_of_its_own_runs(engine, client):
    run = blog(engine)
    token = issue(client, "workspace")
    cal = read(client, token)
    assert str(cal["x-wr-calname"]) == "Effekt: workflow dates"
    publish = events(cal)[f"run-{run.id}-publish@effekt.example"]
    assert publish["start"] == date(2026, 6, 26) and publish["url"] == f"https://effekt.example/runs/{run.id}"
    assert run.name in publish["summary"]
    other = issue(client, "workspace", workspace_id=2)
    assert events(read(client, other)) == {}
