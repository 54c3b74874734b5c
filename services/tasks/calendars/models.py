"""Calendar feeds: a secret URL per person (their deadlines) and per workspace (its runs' anchor dates).

Only a SHA-256 of the token is stored: the URL is shown once, and rotating or revoking it ends the old one.
A sequence row per calendar item keeps SEQUENCE (RFC 5545) rising on every change a reader could see: the
item's fingerprint (date, title, state) is compared when the feed is read and the counter bumped if it moved."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import utcnow
from services.tasks.db import TasksModel


class FeedKind(StrEnum):
    personal = "personal"  # the caller's task deadlines in the workspace
    workspace = "workspace"  # the workspace's workflow anchor dates (publish dates and others)


class CalendarFeed(TasksModel, table=True):
    __tablename__ = "calendar_feeds"
    __table_args__ = (
        UniqueConstraint("token_hash", name="uq_calendar_feeds_token"),
        Index("ix_calendar_feeds_owner", "workspace_id", "user_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int
    user_id: int  # whose feed (the workspace feed too is someone's URL to revoke)
    kind: FeedKind = Field(sa_type=enum_type(FeedKind))
    token_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    last_read_at: datetime | None = None


class CalendarSequence(TasksModel, table=True):
    __tablename__ = "calendar_sequences"
    __table_args__ = (UniqueConstraint("workspace_id", "item", name="uq_calendar_sequences_item"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int
    item: str = Field(max_length=80)  # "task:7", "run:5:publish"
    fingerprint: str = Field(max_length=64)
    sequence: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class FeedPublic(BaseModel):
    """One of my calendar feeds: whether its URL is live, made and last read when."""

    kind: FeedKind
    active: bool
    created_at: datetime | None
    last_read_at: datetime | None


class FeedCreated(FeedPublic):
    """A new feed URL, shown this once (only its hash is kept)."""

    url: str = PydanticField(description="The feed's address with its token, shown this once")


class FeedList(BaseModel):
    """My calendar feeds, one per kind (personal deadlines, workspace dates)."""

    data: list[FeedPublic]
