"""Feedback items (complaints, questions, praise, suggestions), their handling, targets, categories and KPI links."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import STRICT, Id, Name, OptionalName, OptionalText, no_nul, utcnow
from kit.query import Page
from services.metrics.db import MetricsModel

# PostgreSQL text cannot hold NUL: refused as a 422, not a driver error.
Text = Annotated[str, AfterValidator(no_nul)]


class Channel(StrEnum):
    facebook = "facebook"
    instagram = "instagram"
    linkedin = "linkedin"
    x = "x"
    email = "email"
    web_form = "web_form"
    review_site = "review_site"
    phone = "phone"
    chat = "chat"
    in_person = "in_person"
    other = "other"


class FeedbackKind(StrEnum):
    complaint = "complaint"
    question = "question"
    praise = "praise"
    suggestion = "suggestion"


class Sentiment(StrEnum):
    negative = "negative"
    neutral = "neutral"
    positive = "positive"


class FeedbackState(StrEnum):
    new = "new"
    in_progress = "in_progress"
    answered = "answered"
    resolved = "resolved"
    escalated = "escalated"


# Where each state may go; "answered" is reached by answering (which records the first answer and its time).
TRANSITIONS: dict[FeedbackState, set[FeedbackState]] = {
    FeedbackState.new: {
        FeedbackState.in_progress,
        FeedbackState.answered,
        FeedbackState.resolved,
        FeedbackState.escalated,
    },
    FeedbackState.in_progress: {FeedbackState.answered, FeedbackState.resolved, FeedbackState.escalated},
    FeedbackState.answered: {FeedbackState.in_progress, FeedbackState.resolved, FeedbackState.escalated},
    FeedbackState.escalated: {FeedbackState.in_progress, FeedbackState.answered, FeedbackState.resolved},
    FeedbackState.resolved: {FeedbackState.in_progress},  # reopened
}

# The seed's categories and three more; keys stay, names can be edited (and the UI translates the keys).
BUILT_IN_CATEGORIES = {
    "product": "Product",
    "staff_service": "Staff and service",
    "overselling": "Overselling or expectations",
    "internal_communication": "Internal communication",
    "delivery": "Delivery",
    "price": "Price",
    "website_app": "Website or app",
}


class FeedbackCategory(MetricsModel, table=True):
    __tablename__ = "feedback_categories"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "name", name="uq_feedback_categories_name"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    key: str | None = Field(default=None, max_length=40, description="Built-in category's key, else null")
    name: str = Field(max_length=120)
    archived: bool = False


class CategoryIn(MetricsModel):
    model_config = STRICT
    name: Name = Field(min_length=1, max_length=120)


class CategoryUpdate(MetricsModel):
    model_config = STRICT
    name: OptionalName = Field(default=None, min_length=1, max_length=120)
    archived: bool | None = None


class CategoryPublic(MetricsModel):
    id: int
    key: str | None
    name: str
    archived: bool


class FeedbackTarget(MetricsModel, table=True):
    """The answer-time target of a channel: hours, counted in working hours or around the clock."""

    __tablename__ = "feedback_targets"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "channel", name="uq_feedback_targets_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    channel: Channel = Field(sa_type=enum_type(Channel))
    hours: float = Field(gt=0, le=24 * 365)
    working_hours: bool = Field(default=False, description="Count Mon-Fri 08-16 in the workspace's zone only")


class TargetIn(MetricsModel):
    model_config = STRICT
    hours: float = Field(gt=0, le=24 * 365)
    working_hours: bool = False


class TargetPublic(MetricsModel):
    channel: Channel
    hours: float
    working_hours: bool


class FeedbackSettings(MetricsModel, table=True):
    __tablename__ = "feedback_settings"

    workspace_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    multiplier: float = Field(default=20.0, description="Dissatisfied customers per complaint (an estimate)")
    retention_months: int | None = Field(default=None, description="Erase personal data after N months")


class FeedbackSettingsIn(MetricsModel):
    model_config = STRICT
    multiplier: float | None = Field(default=None, gt=0, le=10_000)
    retention_months: int | None = Field(default=None, ge=1, le=600)


class FeedbackSettingsPublic(MetricsModel):
    multiplier: float
    retention_months: int | None


class FeedbackBase(MetricsModel):
    channel: Channel = Field(sa_type=enum_type(Channel))
    surface_id: Id | None = Field(default=None, description="Id of a surface in the goals service")
    kind: FeedbackKind = Field(default=FeedbackKind.complaint, sa_type=enum_type(FeedbackKind))
    sentiment: Sentiment = Field(default=Sentiment.negative, sa_type=enum_type(Sentiment))
    category_id: Id | None = Field(default=None, description="A category of the workspace's taxonomy")
    text: Text = Field(min_length=1, max_length=10_000, sa_type=sa.Text)
    customer_name: OptionalText = Field(default=None, max_length=200)
    customer_contact: OptionalText = Field(default=None, max_length=200)
    link: OptionalText = Field(default=None, max_length=2000, description="The original post or message")
    owner_id: Id | None = Field(default=None, description="User id of the member handling it")
    notes: OptionalText = Field(default=None, max_length=10_000, sa_type=sa.Text, description="Internal notes")


class FeedbackItem(FeedbackBase, table=True):
    __tablename__ = "feedback_items"
    __table_args__ = (
        # The KPIs' GROUP BY reads this index alone (no table look-ups); the median seeks in the next one.
        sa.Index(
            "ix_feedback_items_workspace_month",
            "workspace_id",
            "received_month",
            "category_id",
            "channel",
            "kind",
            "sentiment",
            "within_target",
            "due_at",
            "first_answered_at",
        ),
        sa.Index("ix_feedback_items_first_answer", "workspace_id", "received_month", "first_answer_hours"),
        sa.Index("ix_feedback_items_workspace_received", "workspace_id", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int
    received_at: datetime
    received_month: date = Field(description="First day of the month received, in the workspace's zone")
    state: FeedbackState = Field(default=FeedbackState.new, sa_type=enum_type(FeedbackState))
    due_at: datetime | None = Field(default=None, description="When the channel's target runs out")
    first_answer: str | None = Field(default=None, max_length=10_000, sa_type=sa.Text)
    first_answered_at: datetime | None = None
    first_answer_hours: float | None = Field(default=None, description="Hours from received to first answer")
    within_target: bool | None = Field(default=None, description="First answer by due_at; null: no answer or target")
    resolved_at: datetime | None = None
    resolution_hours: float | None = None
    erased_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FeedbackCreate(FeedbackBase):
    model_config = STRICT
    received_at: datetime | None = Field(default=None, description="Default: now")


class FeedbackUpdate(MetricsModel):
    model_config = STRICT
    channel: Channel | None = None
    surface_id: Id | None = None
    kind: FeedbackKind | None = None
    sentiment: Sentiment | None = None
    category_id: Id | None = None
    text: Text | None = Field(default=None, min_length=1, max_length=10_000)
    customer_name: OptionalText = Field(default=None, max_length=200)
    customer_contact: OptionalText = Field(default=None, max_length=200)
    link: OptionalText = Field(default=None, max_length=2000)
    owner_id: Id | None = None
    notes: OptionalText = Field(default=None, max_length=10_000)


class FeedbackPublic(FeedbackBase):
    id: int
    received_at: datetime
    state: FeedbackState
    due_at: datetime | None
    first_answer: str | None
    first_answered_at: datetime | None
    first_answer_hours: float | None
    within_target: bool | None
    resolved_at: datetime | None
    resolution_hours: float | None
    erased_at: datetime | None
    past_target: bool = Field(default=False, description="Unanswered past due_at, or answered after it")
    created_at: datetime
    updated_at: datetime


class FeedbackList(Page[FeedbackPublic]):
    pass


class Transition(MetricsModel):
    model_config = STRICT
    state: FeedbackState


class Answer(MetricsModel):
    model_config = STRICT
    text: Text = Field(min_length=1, max_length=10_000)


class Bulk(MetricsModel):
    model_config = STRICT
    ids: list[Id] = Field(min_length=1, max_length=500)
    owner_id: Id | None = None
    category_id: Id | None = None


class BulkResult(BaseModel):
    updated: int


class FeedbackEvent(MetricsModel, table=True):
    """One step of an item's handling: created, state, assigned, categorised, answered, noted, erased."""

    __tablename__ = "feedback_events"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="feedback_items.id", ondelete="CASCADE", index=True)
    workspace_id: int
    at: datetime = Field(default_factory=utcnow)
    user_id: int | None = None
    action: str = Field(max_length=32)
    detail: str | None = Field(default=None, max_length=2000)


class EventPublic(MetricsModel):
    at: datetime
    user_id: int | None
    action: str
    detail: str | None


class Measure(StrEnum):
    complaints = "complaints"
    negative_share = "negative_share"
    median_first_answer = "median_first_answer"
    within_target = "within_target"
    dissatisfied = "dissatisfied"


class FeedbackKpi(MetricsModel, table=True):
    """A built-in KPI fed by the items: what it measures, optionally of one category or channel."""

    __tablename__ = "feedback_kpis"

    kpi_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    workspace_id: int = Field(index=True)
    measure: Measure = Field(sa_type=enum_type(Measure))
    category_id: int | None = None
    channel: Channel | None = Field(default=None, sa_type=enum_type(Channel))


class FeedbackKpiPublic(MetricsModel):
    kpi_id: int
    name: str
    measure: Measure
    category_id: int | None
    channel: Channel | None


class ReportRow(BaseModel):
    month: date
    category_id: int | None
    channel: Channel
    surface_id: int | None
    items: int
    complaints: int
