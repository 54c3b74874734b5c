"""Activity figures from the tasks' own tables, per month in grouped SQL; each change once, with its version;
and the time log API (scoped, viewers read only)."""

from __future__ import annotations

from datetime import date

from kit.roles import Role
from kit.testing import auth, check_contract, problem
from services.tasks.actions.models import Action, ActionStatus
from services.tasks.activity import service
from services.tasks.tasks import flow
from services.tasks.tasks import service as tasks
from services.tasks.tests.workflow_support import (
    ANNA,
    BEN,
    PUBLISH,
    approve,
    at,
    done,
    start_blog,
    task,
    walk_to_approval,
)

WS = 1
JUNE, MAY = date(2026, 6, 1), date(2026, 5, 1)


def finish(session, run):
    walk_to_approval(session, run)
    approve(session, run, "approve-outline", BEN)
    approve(session, run, "approve-outline", ANNA)
    for key, day in [("draft", date(2026, 6, 16)), ("images", date(2026, 6, 19)), ("social", date(2026, 6, 22))]:
        done(session, run, key, day)
    flow.skip(session, run, task(session, run, "publish"), reason="Out", now=at(PUBLISH), actor_id=ANNA)


def test_figures_per_month_runs_tasks_hours_and_costs(session):
    template, run = start_blog(session, PUBLISH)
    finish(session, run)
    _, other = start_blog(session, date(2026, 7, 31), template=template)
    done(session, other, "idea", date(2026, 7, 30))  # due 2026-07-01 or so: late
    draft = task(session, run, "draft")
    tasks.log_time(session=session, task=draft, user_id=ANNA, hours=3.5, day=date(2026, 6, 15), note=None)
    tasks.log_time(session=session, task=draft, user_id=ANNA, hours=1, day=date(2026, 5, 31), note=None)
    session.add(
        Action(workspace_id=WS, title="Faster answers", status=ActionStatus.done, done_on=date(2026, 6, 3), cost=1200)
    )
    session.add(
        Action(workspace_id=WS, title="Dropped", status=ActionStatus.dropped, done_on=date(2026, 6, 3), cost=99)
    )
    session.flush()
    got = service.figures(session)
    assert got[(WS, "runs_finished", template.id, JUNE)] == 1
    done_in = {k[3]: v for k, v in got.items() if k[1] == "tasks_done"}
    assert (done_in[MAY], done_in[JUNE], done_in[date(2026, 7, 1)]) == (1, 6, 1), done_in
    assert got[(WS, "tasks_on_time", 0, date(2026, 7, 1))] == 0.0
    assert got[(WS, "hours_logged", 0, JUNE)] == 3.5 and got[(WS, "hours_logged", 0, MAY)] == 1
    assert got[(WS, "hours_logged", template.id, JUNE)] == 3.5
    assert got[(WS, "action_cost", 0, JUNE)] == 1200
    assert service.figures(session, [2]) == {}


def test_each_change_is_published_once_with_a_new_version(session):
    _, run = start_blog(session, PUBLISH)
    draft = task(session, run, "draft")
    tasks.log_time(session=session, task=draft, user_id=ANNA, hours=2, day=date(2026, 6, 15), note=None)
    first = service.changes(session)
    assert [(f.measure, f.month, f.value, f.version) for f in first if f.measure == "hours_logged" and f.key == 0] == [
        ("hours_logged", JUNE, 2.0, 1)
    ]
    for f in first:
        service.mark_published(session, f)
    assert service.changes(session) == []  # nothing changed: nothing to send
    tasks.log_time(session=session, task=draft, user_id=ANNA, hours=1.5, day=date(2026, 6, 16), note=None)
    again = [f for f in service.changes(session) if f.key == 0]
    assert [(f.value, f.version) for f in again] == [(3.5, 2)]
    assert service.job_id(again[0]) == f"activity:{WS}:hours_logged:0:2026-06-01:v2"
    for f in service.changes(session):
        service.mark_published(session, f)
    for e in tasks.time_log(session=session, task=draft):
        tasks.delete_time(session=session, task=draft, entry_id=e.id)
    gone = [(f.value, f.version) for f in service.changes(session) if f.key == 0]
    assert gone == [(0.0, 3)]  # a month that lost its hours is published as 0


def test_two_workers_publishing_the_same_change_leave_one_row_at_the_newest_version(session):
    _, run = start_blog(session, PUBLISH)
    draft = task(session, run, "draft")
    tasks.log_time(session=session, task=draft, user_id=ANNA, hours=2, day=date(2026, 6, 15), note=None)
    first = [f for f in service.changes(session) if f.key == 0 and f.measure == "hours_logged"]
    for _ in range(2):  # the second worker's mark of the same version: no IntegrityError, nothing changes
        service.mark_published(session, first[0].model_copy())
    tasks.log_time(session=session, task=draft, user_id=ANNA, hours=1, day=date(2026, 6, 16), note=None)
    newer = [f for f in service.changes(session) if f.key == 0 and f.measure == "hours_logged"]
    service.mark_published(session, newer[0])
    service.mark_published(session, first[0].model_copy())  # a late mark of the older version does not go back
    rows, _ = service.published(session, WS, limit=100, offset=0)
    hours = [(r.value, r.version) for r in rows if r.measure == "hours_logged" and r.key == 0]
    assert hours == [(3.0, 2)]


def test_the_time_log_api_is_scoped(client, engine):
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as session:
        _, run = start_blog(session, PUBLISH)
        draft = task(session, run, "draft")
        session.commit()
    url = f"/api/v1/tasks/{draft.id}/time"
    resp = client.post(url, json={"hours": 2.5, "day": "2026-06-15", "note": "first draft"}, headers=auth())
    assert resp.status_code == 201, resp.text
    entry = resp.json()
    log = client.get(url, headers=auth(Role.viewer)).json()
    assert log["count"] == 1 and log["total_hours"] == 2.5
    check_contract(
        client,
        url,
        writes=[("DELETE", f"{url}/{entry['id']}", None)],
        creates=[("POST", url, {"hours": 1})],
        owner=auth(),
        viewer=auth(Role.viewer),
        foreign=auth(workspace_id=2),
        missing="/api/v1/tasks/999999/time",
    )
    problem(client.post(url, json={"hours": 25}, headers=auth()), 422, "hours")
    problem(client.post(url, json={"hours": 1, "minutes": 3}, headers=auth()), 422)
    problem(client.delete(f"{url}/999999", headers=auth()), 404)
