"""Retrospectives: notes on finished runs (the seed's three causes) and per-step statistics of a template."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PField
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import Name, utcnow
from services.tasks.db import TasksModel


class NoteCause(StrEnum):
    missing_step = "missing_step"
    wrong_owner = "wrong_owner"
    estimate_off = "estimate_off"


class RunNote(TasksModel, table=True):
    __tablename__ = "workflow_run_notes"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    run_id: int = Field(foreign_key="workflow_runs.id", index=True, ondelete="CASCADE")
    template_id: int = Field(index=True)
    cause: NoteCause = Field(sa_type=enum_type(NoteCause))
    step_key: str | None = Field(default=None, max_length=40)
    body: str = Field(max_length=2000)
    author_id: int
    created_at: datetime = Field(default_factory=utcnow)


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cause: NoteCause
    step_key: str | None = PField(default=None, max_length=40)
    body: Name = PField(min_length=1, max_length=2000)


class NotePublic(BaseModel):
    id: int
    run_id: int
    cause: NoteCause
    step_key: str | None
    body: str
    author_id: int
    created_at: datetime


class StepStats(BaseModel):
    step: str
    title: str
    role: str
    runs: int
    planned_days: int
    actual_median: float | None
    actual_p80: float | None
    late_runs: int
    late_median: float | None = PField(description="Working days late, over the runs where it was late")
    late_p80: float | None
    waiting_median: float | None = PField(description="Working days it arrived after its planned start")
    send_backs: int
    offset_days: int
    suggested_offset: int
    suggested_duration: int


class Retrospective(BaseModel):
    template_id: int
    version: int | None
    finished_runs: int
    steps: list[StepStats]
    notes: list[NotePublic]
    notes_by_cause: dict[str, int]
    suggestions: int = PField(description="How many steps the suggested next version changes")
