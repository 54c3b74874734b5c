"""Workflow templates: named anchor dates, roles and steps, kept in numbered versions (draft → published)."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic import Field as PField
from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import Day, Id, Name, OptionalName, OptionalText, utcnow
from kit.query import Page
from services.tasks.db import TasksModel

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_STEPS = 60


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _key(value: str) -> str:
    value = value.strip().lower()
    if not KEY_RE.match(value):
        raise ValueError("use 1–40 lowercase letters, digits, '-' or '_'")
    return value


class DayKind(StrEnum):
    working = "working"
    calendar = "calendar"


class VersionState(StrEnum):
    draft = "draft"
    published = "published"
    retired = "retired"


class AnchorSpec(Strict):
    key: str
    name: Name = PField(min_length=1, max_length=120)
    hard: bool = PField(default=False, description="A hard anchor (a publish date) is never moved silently")

    _k = field_validator("key")(_key)


class RoleSpec(Strict):
    key: str
    name: Name = PField(min_length=1, max_length=120)
    default_user_id: Id | None = PField(default=None, description="The template's usual person")

    _k = field_validator("key")(_key)


class ApprovalSpec(Strict):
    approver_roles: list[str] = PField(min_length=1, max_length=10)
    required: int = PField(default=1, ge=1, le=10, description="How many distinct approvals complete the step")
    author_may_approve: bool = PField(default=False, description="Whether the author of the work may approve it")


class StepSpec(Strict):
    key: str
    title: Name = PField(min_length=1, max_length=200)
    instructions: OptionalText = PField(default=None, max_length=4000)
    role: str
    anchor: str
    offset_days: int = PField(ge=-730, le=730, description="Due this many days from the anchor (negative: before)")
    day_kind: DayKind = DayKind.working
    duration_days: int = PField(default=1, ge=0, le=365, description="Planned working days of work")
    depends_on: list[str] = PField(default_factory=list, max_length=20)
    approval: ApprovalSpec | None = None

    _k = field_validator("key")(_key)


class Definition(Strict):
    """The content of one version: what a run instantiates."""

    anchors: list[AnchorSpec] = PField(min_length=1, max_length=10)
    roles: list[RoleSpec] = PField(min_length=1, max_length=30)
    steps: list[StepSpec] = PField(min_length=1, max_length=MAX_STEPS)

    @model_validator(mode="after")
    def _references(self) -> Definition:
        from services.tasks.workflows.check import check_definition

        check_definition(self)
        return self


class WorkflowTemplate(TasksModel, table=True):
    __tablename__ = "workflow_templates"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    builtin_key: str | None = Field(default=None, max_length=40)
    published_version: int | None = None
    archived: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class WorkflowVersion(TasksModel, table=True):
    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    template_id: int = Field(foreign_key="workflow_templates.id", index=True, ondelete="CASCADE")
    number: int
    state: VersionState = Field(sa_type=enum_type(VersionState))
    definition: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    note: str | None = Field(default=None, max_length=2000)
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None


class WorkCalendarRow(TasksModel, table=True):
    """A workspace's working week and holiday country (the tasks service's own setting)."""

    __tablename__ = "work_calendars"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(unique=True)
    week: str = Field(default="12345", max_length=7)
    country: str = Field(default="NO", max_length=3)
    subdivision: str | None = Field(default=None, max_length=10)
    updated_at: datetime = Field(default_factory=utcnow)


class WorkflowCreate(Strict):
    name: Name = PField(min_length=1, max_length=200)
    description: OptionalText = PField(default=None, max_length=4000)
    definition: Definition


class WorkflowUpdate(Strict):
    """A change makes (or replaces) the draft version; the published one stays until the draft is published."""

    name: OptionalName = PField(default=None, min_length=1, max_length=200)
    description: OptionalText = PField(default=None, max_length=4000)
    definition: Definition | None = None
    note: OptionalText = PField(default=None, max_length=2000)


class VersionPublic(BaseModel):
    id: int
    number: int
    state: VersionState
    definition: Definition
    note: str | None
    created_at: datetime
    published_at: datetime | None


class WorkflowPublic(BaseModel):
    id: int
    name: str
    description: str | None
    builtin_key: str | None
    published_version: int | None
    draft_version: int | None
    archived: bool
    created_at: datetime
    updated_at: datetime
    current: VersionPublic | None = PField(description="The published version, else the draft")


class WorkflowList(Page[WorkflowPublic]):
    pass


class VersionList(BaseModel):
    data: list[VersionPublic]
    count: int


class CalendarPublic(BaseModel):
    week: str = PField(description="ISO weekdays worked, e.g. 12345 for Monday to Friday")
    country: str
    subdivision: str | None = None


class CalendarUpdate(Strict):
    week: str = PField(min_length=1, max_length=7)
    country: str = PField(min_length=2, max_length=3)
    subdivision: str | None = PField(default=None, max_length=10)


class PreviewRequest(Strict):
    anchors: dict[str, Day] = PField(description="Anchor key → date")
    version: Id | None = PField(default=None, description="A version number; the published one by default")
    strict: bool = PField(default=True, description="Refuse when an anchor has no date")


class PreviewStep(BaseModel):
    key: str
    title: str
    role: str
    anchor: str
    offset_days: int
    day_kind: DayKind
    raw_due: date = PField(description="The anchor plus the offset, before the non-working-day rule")
    due_on: date
    start_on: date
    moved: str | None = PField(description="Why the due date moved: the holiday's name or 'weekend'")
    moved_direction: str | None = PField(description="'earlier' (before the anchor) or 'later' (after it)")
    approval: ApprovalSpec | None = None


class Preview(BaseModel):
    template_id: int
    version: int
    calendar: CalendarPublic
    rule: str
    steps: list[PreviewStep]


class VersionDiff(BaseModel):
    from_version: int
    to_version: int
    added: list[str]
    removed: list[str]
    changed: list[dict[str, Any]]
