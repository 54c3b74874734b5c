"""Event records: who must hear about what (a step assigned, a deadline near, a cycle opened), one row per recipient.

The row is the in-app inbox entry (`read_at`) and the outbox every other channel reads: it is written in the
same transaction as the change it tells of (a reminder row's firing, a step's hand-over) and never sent from
there. `key` names the occurrence all its recipients share ("reminder:41", "task:7:assigned:3"): the same key
is never recorded twice for a recipient, and workspace channels (webhooks, Slack, Teams) send an occurrence
once however many people hear of it. `params` holds the names a message needs (task title, run name, due date)
so each recipient reads it in their own language; `link` is the UI path it is about."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import utcnow
from kit.query import Page
from services.tasks.db import TasksModel


class EventKind(StrEnum):
    assigned = "assigned"  # a step was handed to you
    approval_requested = "approval_requested"
    sent_back = "sent_back"  # your step came back to you, with a comment
    replan_proposed = "replan_proposed"
    reassigned_away = "reassigned_away"  # your steps in a run went to someone else
    run_finished = "run_finished"
    due_48h = "due_48h"  # a deadline in two working days
    due_24h = "due_24h"
    overdue = "overdue"  # once when a task becomes late, then once a day
    escalated = "escalated"  # to the run's owner, after the workspace's working hours of grace
    cycle_opened = "cycle_opened"  # to the owners of its KPIs (from the metrics service)
    kpi_stale = "kpi_stale"  # to its owner (from the metrics service)
    import_finished = "import_finished"
    import_failed = "import_failed"
    connector_failing = "connector_failing"  # to its owner, after two failed scheduled runs (from metrics)
    action_done = "action_done"
    effect_evaluated = "effect_evaluated"


class Event(TasksModel, table=True):
    __tablename__ = "task_events"
    __table_args__ = (
        Index("ix_task_events_recipient", "recipient_id", "created_at"),
        UniqueConstraint("workspace_id", "recipient_id", "key", name="uq_task_events_recipient_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    recipient_id: int
    kind: EventKind = Field(sa_type=enum_type(EventKind))
    run_id: int | None = None
    task_id: int | None = None
    actor_id: int | None = None
    key: str | None = Field(default=None, max_length=160)
    link: str | None = Field(default=None, max_length=300)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None
    read_at: datetime | None = None


class EventPublic(BaseModel):
    id: int
    recipient_id: int
    kind: EventKind
    run_id: int | None
    task_id: int | None
    actor_id: int | None
    link: str | None
    params: dict
    created_at: datetime
    read_at: datetime | None


class EventList(Page[EventPublic]):
    pass
