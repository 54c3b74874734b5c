"""The sweep: fire every due reminder row exactly once, however many workers and crons run it at the same time.

One batch is one transaction: claim the due rows (a conditional UPDATE … WHERE state = 'pending' over the due
index; on PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`, so concurrent sweeps take disjoint rows, and
SQLite has one writer at a time), resolve each recipient now (the task's current owner; the run's owner for an
escalation), write its Event with the row id as the occurrence key, and plan the next day's overdue notice. A
worker killed mid-batch rolls back: its rows are still pending for the next sweep. Rows whose task finished or
was re-dated are cancelled, never sent (the hook cancels them already; this is the last check)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kit.db import in_session
from kit.fields import utcnow
from services.tasks.events.models import EventKind
from services.tasks.events.service import record
from services.tasks.reminders import rules
from services.tasks.reminders.models import PENDING, Reminder, ReminderKind, ReminderSettings, ReminderState
from services.tasks.reminders.service import DEFAULTS, hours_of
from services.tasks.runs.models import WorkflowRun
from services.tasks.tasks.models import ACTIVE, Task
from services.tasks.workflows.calendar import default_country
from services.tasks.workflows.models import WorkCalendarRow
from services.tasks.workflows.workdays import WorkCalendar

BATCH = 500
DEFAULT_HOURS = hours_of(DEFAULTS)


def claim(session: Session, now: datetime, batch: int) -> list[Reminder]:
    """Take up to `batch` due rows for this transaction: they are marked sent, and only this one sees them."""
    due = (
        select(Reminder.id)
        .where(PENDING, col(Reminder.fire_at) <= rules.to_utc(now))
        .order_by(col(Reminder.fire_at))
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    taken = session.execute(
        update(Reminder)
        .where(col(Reminder.id).in_(due.scalar_subquery()), PENDING)
        .values(state=ReminderState.sent, sent_at=rules.to_utc(now))
        .returning(Reminder.id)
        .execution_options(synchronize_session=False)
    ).all()
    ids = [row[0] for row in taken]
    if not ids:
        return []
    return list(session.exec(select(Reminder).where(col(Reminder.id).in_(ids)).order_by(col(Reminder.id))).all())


def fire_batch(session: Session, now: datetime, batch: int = BATCH, places: dict | None = None) -> int:
    """Claim and fire one batch; how many rows were claimed (sent or cancelled). `places` caches each
    workspace's calendar and hours across the batches of one sweep."""
    rows = claim(session, now, batch)
    if not rows:
        return 0
    tasks = {t.id: t for t in session.exec(select(Task).where(col(Task.id).in_({r.task_id for r in rows}))).all()}
    runs = {
        r.id: r
        for r in session.exec(select(WorkflowRun).where(col(WorkflowRun.id).in_({r.run_id for r in rows}))).all()
    }
    places = {} if places is None else places
    wanted = {(r.workspace_id, r.zone) for r in rows if r.kind == ReminderKind.overdue} - places.keys()
    if wanted:
        places.update(_places(session, wanted))
    with session.no_autoflush:  # one flush for the batch, not one per Event's key check
        for row in rows:
            _one(session, row, tasks, runs, places, now)
    session.flush()
    return len(rows)


def _one(session: Session, row: Reminder, tasks: dict, runs: dict, places: dict, now: datetime) -> None:
    """Fire one claimed row, or cancel it when its task no longer holds the deadline."""
    task, run = tasks.get(row.task_id), runs.get(row.run_id)
    if task is None or run is None or task.state not in ACTIVE or task.due_on != row.due_on:
        row.state, row.sent_at = ReminderState.cancelled, None
        session.add(row)
        return
    _fire(session, row, task, run, now)
    if row.kind != ReminderKind.overdue:
        return
    cal, zone, hours = places[(row.workspace_id, row.zone)]
    session.add(
        Reminder(
            workspace_id=row.workspace_id,
            task_id=row.task_id,
            run_id=row.run_id,
            kind=ReminderKind.overdue,
            version=row.version,
            n=row.n + 1,
            due_on=row.due_on,
            fire_at=rules.next_overdue(now, cal, zone, hours),
            zone=row.zone,
        )
    )


def _places(session: Session, wanted: set[tuple[int, str]]) -> dict[tuple[int, str], tuple]:
    """Each (workspace, zone)'s calendar, zone and working hours, read for all of them in two statements."""
    ids = {w for w, _ in wanted}
    hours = {
        s.workspace_id: hours_of(s)
        for s in session.exec(select(ReminderSettings).where(col(ReminderSettings.workspace_id).in_(ids)))
    }
    weeks = {
        c.workspace_id: c
        for c in session.exec(select(WorkCalendarRow).where(col(WorkCalendarRow.workspace_id).in_(ids)))
    }
    out = {}
    for workspace_id, zone in wanted:
        row = weeks.get(workspace_id)
        if row is None:
            cal = WorkCalendar(country=default_country(zone), zone=zone)
        else:
            cal = WorkCalendar(week=row.week, country=row.country, subdivision=row.subdivision, zone=zone)
        out[(workspace_id, zone)] = (cal, rules.zone_of(zone), hours.get(workspace_id, DEFAULT_HOURS))
    return out


def _fire(session: Session, row: Reminder, task: Task, run: WorkflowRun, now: datetime) -> None:
    recipient = run.started_by if row.kind == ReminderKind.escalated else task.owner_id
    row.recipient_id = recipient
    session.add(row)
    params: dict[str, Any] = {"task": task.title, "run": run.name, "due": task.due_on.isoformat()}
    params["step"] = task.step_key
    if row.kind == ReminderKind.overdue:
        params["days_late"] = max(0, (now.date() - task.due_on).days)
    if row.kind == ReminderKind.escalated:
        params["owner_id"] = task.owner_id
    record(
        session=session,
        workspace_id=row.workspace_id,
        recipient_id=recipient,
        kind=EventKind(row.kind.value),
        run_id=run.id,
        task_id=task.id,
        key=f"reminder:{row.id}",
        link=f"/runs/{run.id}#task-{task.id}",
        params=params,
    )


def sweep(engine: Engine, *, now: datetime | None = None, batch: int = BATCH) -> int:
    """Fire every row due at `now` (batch by batch, one transaction each); how many were claimed."""
    now = now or utcnow()
    total, places = 0, {}
    while True:
        claimed = in_session(engine, fire_batch, now, batch, places)
        total += claimed
        if claimed < batch:
            return total
