"""Business rules of reminders: plan a task's rows when its deadline is set or moved, cancel them when it
finishes; the workspace's reminder settings; a task's reminders. Never commits: rows are part of the change.

`sync(session, task, now=…, cal=…)` is the one hook: called wherever a task's due date or state changes, it
leaves current rows alone, and otherwise cancels the unsent rows and (for an active task) writes the rows of
a new deadline version."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from kit.db import save
from kit.errors import Invalid
from kit.query import select_page
from services.tasks.reminders import rules
from services.tasks.reminders.models import (
    Reminder,
    ReminderKind,
    ReminderSettings,
    ReminderSettingsPublic,
    ReminderSettingsUpdate,
    ReminderState,
)
from services.tasks.tasks.models import ACTIVE, Task
from services.tasks.workflows.calendar import work_calendar
from services.tasks.workflows.workdays import WorkCalendar

DEFAULTS = ReminderSettings(workspace_id=0)


def settings_row(session: Session, workspace_id: int) -> ReminderSettings:
    """The workspace's settings, or the defaults (08:00–16:00, escalation after 8 working hours)."""
    row = session.exec(select(ReminderSettings).where(ReminderSettings.workspace_id == workspace_id)).first()
    return row or DEFAULTS


def hours_of(row: ReminderSettings) -> rules.Hours:
    return rules.Hours.of_minutes(row.day_start, row.day_end)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def get_settings(*, session: Session, workspace_id: int, timezone: str) -> ReminderSettingsPublic:
    row = settings_row(session, workspace_id)
    return ReminderSettingsPublic(
        day_start=_hhmm(row.day_start),
        day_end=_hhmm(row.day_end),
        escalate_after_hours=row.escalate_after_hours,
        timezone=timezone,
    )


def set_settings(
    *, session: Session, workspace_id: int, data: ReminderSettingsUpdate, timezone: str
) -> ReminderSettingsPublic:
    """Change the working hours or the escalation grace (rows planned already keep their times)."""
    start, end = _minutes(data.day_start), _minutes(data.day_end)
    if end <= start:
        raise Invalid.field("day_end", "the working day must end after it starts")
    row = session.exec(select(ReminderSettings).where(ReminderSettings.workspace_id == workspace_id)).first()
    row = row or ReminderSettings(workspace_id=workspace_id)
    save(session, row, {"day_start": start, "day_end": end, "escalate_after_hours": data.escalate_after_hours})
    return get_settings(session=session, workspace_id=workspace_id, timezone=timezone)


def task_reminders(*, session: Session, task: Task, limit: int = 50, offset: int = 0) -> tuple[list[Reminder], int]:
    """The task's rows, newest deadline version first, each version in firing order."""
    order = [col(Reminder.version).desc(), col(Reminder.fire_at), col(Reminder.id)]
    return select_page(session, Reminder, [Reminder.task_id == task.id], order, limit=limit, offset=offset)


def _calendar(session: Session, task: Task, cal: WorkCalendar | None) -> WorkCalendar:
    """The calendar given, else the workspace's stored one in the zone its last reminders were planned in."""
    if cal is not None:
        return cal
    zone = session.exec(
        select(Reminder.zone).where(Reminder.workspace_id == task.workspace_id).order_by(col(Reminder.id).desc())
    ).first()
    return work_calendar(session=session, workspace_id=task.workspace_id, timezone=zone or "UTC")


def sync(session: Session, task: Task, *, now: datetime, cal: WorkCalendar | None = None) -> None:
    """Bring the task's reminder rows in line with its deadline and state (the hook; idempotent)."""
    if task.id is None:
        session.flush()
    rows = list(session.exec(select(Reminder).where(Reminder.task_id == task.id)).all())
    version = max((r.version for r in rows), default=0)
    live = [r for r in rows if r.version == version and r.state != ReminderState.cancelled]
    active = task.state in ACTIVE
    if active and live and all(r.due_on == task.due_on for r in live):
        return
    for row in rows:
        if row.state == ReminderState.pending:
            row.state = ReminderState.cancelled
            session.add(row)
    if not active:
        return
    cal = _calendar(session, task, cal)
    found = settings_row(session, task.workspace_id)
    planned = rules.plan(
        task.due_on,
        now=now,
        cal=cal,
        zone=rules.zone_of(cal.zone),
        hours=hours_of(found),
        escalate_after=found.escalate_after_hours,
    )
    for kind, fire_at in planned:
        session.add(
            Reminder(
                workspace_id=task.workspace_id,
                task_id=task.id,
                run_id=task.run_id,
                kind=ReminderKind(kind),
                version=version + 1,
                due_on=task.due_on,
                fire_at=fire_at,
                zone=cal.zone,
            )
        )
    session.flush()
