"""Webhook endpoints of a workspace and their deliveries: one delivery per endpoint and occurrence.

An endpoint is a Standard Webhooks receiver (signed with the endpoint's `whsec_` secret; during a rotation the
previous secret signs too, until it expires), a Slack incoming webhook (Block Kit) or a Teams Workflows webhook
(an Adaptive Card). A delivery's `occurrence` is the event's key (or "event:<id>" for an event without one): the
unique (endpoint, occurrence) pair makes one message per occurrence however many people heard of it and however
many workers fanned it out. Each try is an attempt row: the delivery log with status code and time."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import STRICT, utcnow
from kit.query import Page
from services.tasks.db import TasksModel
from services.tasks.events.models import EventKind

MAX_URL = 2000


class EndpointKind(StrEnum):
    standard = "standard"  # Standard Webhooks: signed JSON {type, timestamp, data}
    slack = "slack"  # a Slack incoming webhook URL: Block Kit
    teams = "teams"  # a Microsoft Teams Workflows webhook URL: an Adaptive Card


class DeliveryState(StrEnum):
    pending = "pending"  # waiting for its next attempt (next_attempt_at)
    sending = "sending"  # claimed by one worker until claimed_until
    succeeded = "succeeded"
    failed = "failed"  # every attempt of the schedule failed, or the endpoint was disabled


class WebhookEndpoint(TasksModel, table=True):
    __tablename__ = "webhook_endpoints"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    kind: EndpointKind = Field(sa_type=enum_type(EndpointKind))
    url: str = Field(sa_column=Column(Text, nullable=False))
    description: str = Field(default="", max_length=200)
    event_kinds: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # empty: every kind
    secret: str | None = Field(default=None, max_length=200)  # whsec_… sealed (crypto.py), standard endpoints only
    previous_secret: str | None = Field(default=None, max_length=200)
    previous_until: datetime | None = None  # the previous secret still signs until then
    enabled: bool = True
    disabled_reason: str | None = Field(default=None, max_length=300)
    failing_since: datetime | None = None  # first failure since the last success
    active_since: datetime = Field(default_factory=utcnow)  # created or enabled again: events from then on
    created_by: int
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class WebhookDelivery(TasksModel, table=True):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "occurrence", name="uq_webhook_deliveries_occurrence"),
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int
    endpoint_id: int = Field(foreign_key="webhook_endpoints.id", ondelete="CASCADE")
    occurrence: str = Field(max_length=200)
    message_id: str = Field(max_length=60)  # webhook-id: the receiver's idempotency key, the same on every try
    event_type: str = Field(max_length=60)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # {type, timestamp, data}
    state: DeliveryState = Field(default=DeliveryState.pending, sa_type=enum_type(DeliveryState))
    attempts: int = 0  # tries of the current round (a replay starts a new round)
    next_attempt_at: datetime | None = None
    claimed_until: datetime | None = None
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=300)
    last_attempt_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class WebhookAttempt(TasksModel, table=True):
    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery", "delivery_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_deliveries.id", ondelete="CASCADE")
    at: datetime = Field(default_factory=utcnow)
    status_code: int | None = None  # None: no answer (refused, timed out, address not allowed)
    error: str | None = Field(default=None, max_length=300)
    duration_ms: int = 0


class FanoutCursor(TasksModel, table=True):
    """The highest event id the fan-out has read (one row); a look-back window covers late commits."""

    __tablename__ = "webhook_fanout_cursor"

    id: int = Field(default=1, primary_key=True)
    last_event_id: int = 0


# --- API shapes ---------------------------------------------------------------------------------------------


class EndpointBase(BaseModel):
    """What an endpoint hears of: a note for people and the event kinds it gets."""

    description: str = PydanticField(default="", max_length=200)
    event_kinds: list[EventKind] = PydanticField(default_factory=list, description="Only these kinds; empty: all")

    @field_validator("event_kinds")
    @classmethod
    def _unique(cls, value: list[EventKind]) -> list[EventKind]:
        return sorted(set(value), key=lambda kind: kind.value)


class EndpointCreate(EndpointBase):
    """A new endpoint: its kind (standard, slack or teams) and address."""

    model_config = STRICT
    kind: EndpointKind = EndpointKind.standard
    url: str = PydanticField(min_length=1, max_length=MAX_URL, description="http(s) address of the receiver")


class EndpointUpdate(BaseModel):
    """Changes to an endpoint; fields left out stay as they are."""

    model_config = STRICT
    url: str | None = PydanticField(default=None, min_length=1, max_length=MAX_URL)
    description: str | None = PydanticField(default=None, max_length=200)
    event_kinds: list[EventKind] | None = None
    enabled: bool | None = PydanticField(default=None, description="true re-enables a disabled endpoint")


class EndpointPublic(BaseModel):
    """A webhook endpoint of the workspace (its secret is never shown again)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: EndpointKind
    url: str
    description: str
    event_kinds: list[EventKind]
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    rotating_until: datetime | None = PydanticField(description="The previous secret signs too until then")
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointPublic):
    """The endpoint just made, with its signing secret this once."""

    secret: str | None = PydanticField(description="The signing secret (whsec_…), shown this once")


class SecretRotated(BaseModel):
    """The new signing secret, and until when the previous one still signs."""

    secret: str = PydanticField(description="The new signing secret (whsec_…), shown this once")
    previous_valid_until: datetime


class EndpointList(Page[EndpointPublic]):
    """The workspace's webhook endpoints."""

    pass


class AttemptPublic(BaseModel):
    """One try of a delivery: when, the answer code (none: no answer) and what went wrong."""

    model_config = ConfigDict(from_attributes=True)
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryPublic(BaseModel):
    """One occurrence sent (or being sent) to an endpoint."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    endpoint_id: int
    message_id: str
    event_type: str
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    last_attempt_at: datetime | None
    created_at: datetime


class DeliveryDetail(DeliveryPublic):
    """A delivery with what it sends and every attempt so far."""

    payload: dict
    log: list[AttemptPublic]


class DeliveryList(Page[DeliveryPublic]):
    """An endpoint's delivery log, newest first."""

    pass
