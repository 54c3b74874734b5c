"""Outbox rows: a notification for one person, written in the same transaction as the change it tells of, and
pushed to the tasks service (which owns the inbox and the channels) by a cron that retries until it is taken.

The key names the occurrence ("cycle:5:opened", "import:9:2:done", "kpi:3:stale:2026-10-01"); one row per person
and key, so the same occurrence is never queued twice, and the tasks side records it once per key as well."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field

from kit.fields import utcnow
from services.metrics.db import MetricsModel


class NotificationOutbox(MetricsModel, table=True):
    __tablename__ = "notification_outbox"
    __table_args__ = (
        UniqueConstraint("workspace_id", "recipient_id", "key", name="uq_notification_outbox_key"),
        Index("ix_notification_outbox_due", "pushed_at", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int
    recipient_id: int
    kind: str = Field(max_length=32)  # an event kind of the tasks service: cycle_opened, kpi_stale, import_…
    key: str = Field(max_length=160)
    link: str | None = Field(default=None, max_length=300)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    attempts: int = 0
    pushed_at: datetime | None = None
    error: str | None = Field(default=None, max_length=500)


class OutboxStatus(BaseModel):
    waiting: int
    oldest_waiting_since: datetime | None
    last_error: str | None
    checked_at: datetime
