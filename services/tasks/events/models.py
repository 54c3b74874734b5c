"""In-app event records: who must hear about what (a step assigned, an approval asked, a re-plan proposed).

Written in the same transaction as the change they tell of; the notifications issue delivers them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import Index
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


class Event(TasksModel, table=True):
    __tablename__ = "task_events"
    __table_args__ = (Index("ix_task_events_recipient", "recipient_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    recipient_id: int
    kind: EventKind = Field(sa_type=enum_type(EventKind))
    run_id: int | None = None
    task_id: int | None = None
    actor_id: int | None = None
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
    created_at: datetime
    read_at: datetime | None


class EventList(Page[EventPublic]):
    pass
