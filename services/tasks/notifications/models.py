"""Notification tables: what each person wants by email, and the deliveries that send it exactly once.

An event row (services.tasks.events) is the in-app inbox entry and the outbox. The planner gives each event one
`NotificationItem` (unique per event: planned once, whoever plans): it says whether the event goes by email at
once (merged with the other events about the same run within the merge window), waits for the daily digest, or
stays in-app only. A `Delivery` is one email to one person: its key (an event's or a merged group's or a day's
digest) is unique per channel, so two workers never make or send the same email twice; Message-ID derives from
the key, so a resend after a crash between sending and marking is recognised by the mail client."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

from pydantic import BaseModel, field_validator
from pydantic import Field as PydField
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import STRICT, utcnow
from kit.query import Page
from services.tasks.db import TasksModel
from services.tasks.events.models import EventKind


class EmailMode(StrEnum):
    immediate = "immediate"  # at once (events about one run within the merge window become one email)
    digest = "digest"  # in the daily digest at 08:00 local time
    off = "off"  # in-app only (the inbox is always on)


class Channel(StrEnum):
    email = "email"


class DeliveryState(StrEnum):
    pending = "pending"
    sending = "sending"  # claimed by one worker; taken back if it stays here longer than the claim timeout
    sent = "sent"
    failed = "failed"  # gave up after the attempts, or nobody to send to (no address, email disabled)


class NotificationPreference(TasksModel, table=True):
    """One person's email choice for one event kind in one workspace (no row: the kind's default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", "kind", name="uq_notification_preferences"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int
    user_id: int
    kind: EventKind = Field(sa_type=enum_type(EventKind))
    email: EmailMode = Field(sa_type=enum_type(EmailMode))
    updated_at: datetime = Field(default_factory=utcnow)


class NotificationSettings(TasksModel, table=True):
    """One person's quiet hours (in the workspace's time zone) in one workspace."""

    __tablename__ = "notification_settings"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", name="uq_notification_settings"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int
    user_id: int
    quiet_start: time | None = None
    quiet_end: time | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class Delivery(TasksModel, table=True):
    __tablename__ = "notification_deliveries"
    __table_args__ = (
        UniqueConstraint("key", "channel", name="uq_notification_deliveries_key"),
        Index("ix_notification_deliveries_due", "state", "send_after"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int
    recipient_id: int
    channel: Channel = Field(default=Channel.email, sa_type=enum_type(Channel))
    key: str = Field(
        max_length=200
    )  # "event:9", "run:1:11:5:9" (workspace, person, run, first event), "digest:1:11:2026-06-02"
    run_id: int | None = None  # a merged group's run: later events about it join while the window is open
    digest: bool = False
    state: DeliveryState = Field(default=DeliveryState.pending, sa_type=enum_type(DeliveryState))
    send_after: datetime
    attempts: int = 0
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    message_id: str | None = Field(default=None, max_length=200)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class NotificationItem(TasksModel, table=True):
    """An event as planned for email: once per event (the unique event id), with the delivery it went into."""

    __tablename__ = "notification_items"
    __table_args__ = (
        UniqueConstraint("event_id", name="uq_notification_items_event"),
        Index("ix_notification_items_waiting", "workspace_id", "recipient_id", "mode", "delivery_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="task_events.id", ondelete="CASCADE")
    workspace_id: int
    recipient_id: int
    mode: EmailMode = Field(sa_type=enum_type(EmailMode))
    delivery_id: int | None = Field(default=None, foreign_key="notification_deliveries.id", index=True)


# ---- API shapes ----


class NotificationPublic(BaseModel):
    id: int
    kind: EventKind
    text: str = PydField(description="The message in the requested language")
    link: str | None
    run_id: int | None
    task_id: int | None
    created_at: datetime
    read_at: datetime | None


class NotificationList(Page[NotificationPublic]):
    unread: int = PydField(default=0, description="How many of the caller's notifications are unread")


class UnreadCount(BaseModel):
    count: int


class KindPreference(BaseModel):
    model_config = STRICT

    kind: EventKind
    email: EmailMode


class PreferencesPublic(BaseModel):
    kinds: list[KindPreference]
    quiet_start: time | None
    quiet_end: time | None
    email_enabled: bool = PydField(description="Whether this installation sends email at all")


class PreferencesUpdate(BaseModel):
    model_config = STRICT

    kinds: list[KindPreference] = PydField(default_factory=list, max_length=len(EventKind))
    quiet_start: time | None = PydField(default=None, description="Start of the quiet hours (workspace time zone)")
    quiet_end: time | None = PydField(default=None, description="End of the quiet hours; both or neither")

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _local(cls, v: time | None) -> time | None:
        """A time of day in the workspace's zone: an offset (16:00+02:00) means nothing here."""
        if v is not None and v.tzinfo is not None:
            raise ValueError("give a local time of day without a UTC offset, such as 22:00")
        return v
