"""Tasks: one per step of a run, with an owner, planned dates, a state and when that state began."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PField
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import Day, Name, OptionalText, utcnow
from kit.query import Page
from services.tasks.db import TasksModel


class TaskState(StrEnum):
    waiting = "waiting"  # for earlier steps
    open = "open"  # handed to its owner
    in_progress = "in_progress"
    done = "done"
    sent_back = "sent_back"  # reopened by a later step, with a comment
    skipped = "skipped"


class CommentKind(StrEnum):
    """A comment someone wrote, or the reason that came with sending a step back or skipping it."""

    comment = "comment"
    send_back = "send_back"
    skip = "skip"


ACTIVE = (TaskState.open, TaskState.in_progress, TaskState.sent_back)
FINISHED = (TaskState.done, TaskState.skipped)


class Task(TasksModel, table=True):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("run_id", "step_key"),
        Index("ix_tasks_owner_state", "owner_id", "state", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    run_id: int = Field(foreign_key="workflow_runs.id", index=True, ondelete="CASCADE")
    step_key: str = Field(max_length=40)
    position: int = 0
    title: str = Field(max_length=200)
    instructions: str | None = Field(default=None, max_length=4000)
    role_key: str = Field(max_length=40)
    owner_id: int | None = None
    anchor_key: str = Field(max_length=40)
    hard: bool = Field(default=False, description="Pinned to a hard anchor: never moved by re-planning")
    depends_on: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    start_on: date
    due_on: date
    planned_days: int = 1
    state: TaskState = Field(sa_type=enum_type(TaskState))
    state_since: datetime = Field(default_factory=utcnow)
    opened_at: datetime | None = None  # handed over: the step's work starts
    done_at: datetime | None = None
    skip_reason: str | None = Field(default=None, max_length=500)
    approvals_required: int = 0
    approver_roles: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    author_may_approve: bool = False
    approval_round: int = 0
    send_backs: int = 0  # how often this step was sent back to
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TaskApprover(TasksModel, table=True):
    """Who is asked to approve an approval step (from the approver roles' people): My work reads it."""

    __tablename__ = "task_approvers"
    __table_args__ = (UniqueConstraint("task_id", "user_id"), Index("ix_task_approvers_user", "user_id"))

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    task_id: int = Field(foreign_key="tasks.id", index=True, ondelete="CASCADE")
    user_id: int


class TaskApproval(TasksModel, table=True):
    __tablename__ = "task_approvals"
    __table_args__ = (UniqueConstraint("task_id", "round", "approver_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    task_id: int = Field(foreign_key="tasks.id", index=True, ondelete="CASCADE")
    round: int = 0
    approver_id: int
    comment: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class TaskComment(TasksModel, table=True):
    __tablename__ = "task_comments"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    task_id: int = Field(foreign_key="tasks.id", index=True, ondelete="CASCADE")
    author_id: int
    body: str = Field(max_length=4000)
    kind: str = Field(default=CommentKind.comment, max_length=20)  # a CommentKind
    created_at: datetime = Field(default_factory=utcnow)


class TimeEntry(TasksModel, table=True):
    """Hours someone spent on a task on a day: the time log, summed per month as activity data for metrics."""

    __tablename__ = "task_time_entries"
    __table_args__ = (Index("ix_task_time_entries_workspace_day", "workspace_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int
    task_id: int = Field(foreign_key="tasks.id", index=True, ondelete="CASCADE")
    user_id: int
    day: date
    hours: float
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TaskPublic(BaseModel):
    id: int
    run_id: int
    step_key: str
    position: int
    title: str
    instructions: str | None
    role_key: str
    owner_id: int | None
    anchor_key: str
    hard: bool
    depends_on: list[str]
    start_on: date
    due_on: date
    planned_days: int
    state: TaskState
    state_since: datetime
    opened_at: datetime | None
    done_at: datetime | None
    skip_reason: str | None
    approvals_required: int
    approver_roles: list[str]
    approval_round: int
    send_backs: int
    approvals: list[int] = PField(default_factory=list, description="Who approved in the current round")
    hours_logged: float = PField(default=0, description="Hours in the task's time log")


class TaskList(Page[TaskPublic]):
    pass


class CommentCreate(Strict):
    body: Name = PField(min_length=1, max_length=4000)


class CommentPublic(BaseModel):
    """A comment on a task."""

    id: int
    author_id: int
    body: str
    kind: CommentKind
    created_at: datetime


class CommentList(BaseModel):
    data: list[CommentPublic]
    count: int


class TimeEntryCreate(Strict):
    hours: Annotated[float, PField(gt=0, le=24, description="Hours spent, at most a day's")]
    day: Day | None = PField(default=None, description="The day the hours were spent; default: today")
    note: OptionalText = PField(default=None, max_length=500)


class TimeEntryPublic(BaseModel):
    id: int
    task_id: int
    user_id: int
    day: date
    hours: float
    note: str | None
    created_at: datetime


class TimeLog(BaseModel):
    data: list[TimeEntryPublic]
    count: int
    total_hours: float


class SendBack(Strict):
    comment: Name = PField(min_length=1, max_length=2000, description="What must change: required")
    target: str | None = PField(default=None, description="The step key to reopen; the step before by default")


class Skip(Strict):
    reason: Name = PField(min_length=1, max_length=500)


class Approve(Strict):
    comment: OptionalText = PField(default=None, max_length=2000)


class DueChange(Strict):
    due_on: Day


class MyWorkItem(BaseModel):
    task: TaskPublic
    workspace_id: int
    run_name: str
    bucket: str = PField(description="overdue, today, week, later or approval")


class MyWork(BaseModel):
    today: date
    overdue: list[MyWorkItem]
    due_today: list[MyWorkItem]
    this_week: list[MyWorkItem]
    later: list[MyWorkItem]
    waiting_for_approval: list[MyWorkItem]
    workspaces: list[int]

    def buckets(self) -> dict[str, Any]:
        return {
            "overdue": self.overdue,
            "today": self.due_today,
            "week": self.this_week,
            "later": self.later,
            "approval": self.waiting_for_approval,
        }
