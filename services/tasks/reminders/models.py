"""Reminder rows: a task's due-in-48-h, due-in-24-h, overdue and escalation notices, planned when its deadline is
set and fired once each by the sweep (`sweep.py`); and a workspace's reminder settings (working hours, grace).

A row's key is (task, kind, deadline version, n): moving a deadline bumps the version and cancels the unsent rows
of the old one, finishing the task cancels them all, so a notice is never sent for a date that no longer holds.
`n` counts the overdue notices (one a day, each written by the sweep when the one before fires). The due index
holds pending rows only, so a sweep reads the rows that are due and nothing else."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel
from pydantic import Field as PField
from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import STRICT, utcnow
from kit.query import Page
from services.tasks.db import TasksModel

PENDING = text("state = 'pending'")


class ReminderKind(StrEnum):
    due_48h = "due_48h"
    due_24h = "due_24h"
    overdue = "overdue"
    escalated = "escalated"  # to the run's owner


class ReminderState(StrEnum):
    pending = "pending"
    sent = "sent"
    cancelled = "cancelled"  # the deadline moved, the task finished or went back to waiting


class Reminder(TasksModel, table=True):
    __tablename__ = "task_reminders"
    __table_args__ = (
        UniqueConstraint("task_id", "kind", "version", "n", name="uq_task_reminders_key"),
        Index("ix_task_reminders_due", "fire_at", sqlite_where=PENDING, postgresql_where=PENDING),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int
    task_id: int = Field(foreign_key="tasks.id", index=True, ondelete="CASCADE")
    run_id: int
    kind: ReminderKind = Field(sa_type=enum_type(ReminderKind))
    version: int = 1  # the task's deadline version this row belongs to
    n: int = 0  # the how-manyth overdue notice (0 for the other kinds)
    due_on: date  # the deadline the row was planned for
    fire_at: datetime
    zone: str = Field(default="UTC", max_length=64)  # the workspace's zone when planned (for the next overdue)
    state: ReminderState = Field(default=ReminderState.pending, sa_type=enum_type(ReminderState))
    recipient_id: int | None = None  # who it went to (resolved when sent)
    sent_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ReminderSettings(TasksModel, table=True):
    """A workspace's working hours (reminders go out inside them, in its time zone) and escalation grace."""

    __tablename__ = "reminder_settings"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(unique=True)
    day_start: int = 8 * 60  # minutes after midnight, local
    day_end: int = 16 * 60
    escalate_after_hours: int = 8  # working hours overdue before the run's owner hears of it
    updated_at: datetime = Field(default_factory=utcnow)


class ReminderPublic(BaseModel):
    id: int
    task_id: int
    kind: ReminderKind
    version: int
    n: int
    due_on: date
    fire_at: datetime = PField(description="When it goes out (UTC)")
    state: ReminderState
    recipient_id: int | None
    sent_at: datetime | None


class ReminderList(Page[ReminderPublic]):
    pass


HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class ReminderSettingsPublic(BaseModel):
    day_start: str = PField(description="Start of the working day, HH:MM local", examples=["08:00"])
    day_end: str = PField(description="End of the working day, HH:MM local", examples=["16:00"])
    escalate_after_hours: int = PField(description="Working hours overdue before the run's owner is told")
    timezone: str = PField(description="The workspace's time zone the hours are in")


class ReminderSettingsUpdate(BaseModel):
    model_config = STRICT

    day_start: str = PField(pattern=HHMM)
    day_end: str = PField(pattern=HHMM)
    escalate_after_hours: int = PField(ge=1, le=400)
