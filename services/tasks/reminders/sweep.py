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
from services.tasks.reminders.models import PENDING, Reminder, ReminderKind, ReminderState
from services.tasks.reminders.service import hours_of, settings_row
from services.tasks.runs.models import WorkflowRun
from services.tasks.tasks.models import ACTIVE, Task
from services.tasks.workflows.calendar import work_calendar

BATCH = 500


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


def fire_batch(session: Session, now: datetime, batch: int = BATCH) -> int:
    """Claim and fire one batch; how many rows were claimed (sent or cancelled)."""
    rows = claim(session, now, batch)
    if not rows:
        return 0
    tasks = {t.id: t for t in session.exec(select(Task).where(col(Task.id).in_({r.task_id for r in rows}))).all()}
    runs = {
        r.id: r
        for r in session.exec(select(WorkflowRun).where(col(WorkflowRun.id).in_({r.run_id for r in rows}))).all()
    }
    places: dict[tuple[int, str], Any] = {}
    for row in rows:
        task, run = tasks.get(row.task_id), runs.get(row.run_id)
        if task is None or run is None or task.state not in ACTIVE or task.due_on != row.due_on:
            row.state, row.sent_at = ReminderState.cancelled, None
            session.add(row)
            continue
        _fire(session, row, task, run, now)
        if row.kind == ReminderKind.overdue:
            key = (row.workspace_id, row.zone)
            if key not in places:
                found = settings_row(session, row.workspace_id)
                cal = work_calendar(session=session, workspace_id=row.workspace_id, timezone=row.zone)
                places[key] = (cal, rules.zone_of(row.zone), hours_of(found))
            cal, zone, hours = places[key]
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
    session.flush()
    return len(rows)


def _fire(session: Session, row: Reminder, task: Task, run: WorkflowRun, now: datetime) -> None:
    recipient = run.started_by if row.kind == ReminderKind.escalated else task.owner_id
    row.recipient_id = recipient
    session.add(row)
    params: dict[str, Any] = {"task": task.title, "run": run.name, "due_on": task.due_on.isoformat()}
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
    total = 0
    while True:
        claimed = in_session(engine, fire_batch, now, batch)
        total += claimed
        if claimed < batch:
            return total
