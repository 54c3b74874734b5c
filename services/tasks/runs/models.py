"""Runs: a template version started for anchor dates with people bound to its roles; history; re-plans."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PField
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import Day, Id, Name, utcnow
from kit.query import Page
from services.tasks.db import TasksModel
from services.tasks.tasks.models import TaskPublic


class RunState(StrEnum):
    running = "running"
    finished = "finished"
    cancelled = "cancelled"


class ProposalState(StrEnum):
    open = "open"
    accepted = "accepted"
    rejected = "rejected"
    superseded = "superseded"


class HistoryKind(StrEnum):
    """What a line of a run's history records (tasks.flow.history's callers and replan.decide)."""

    started = "started"
    handed_over = "handed_over"
    done = "done"
    approved = "approved"
    sent_back = "sent_back"
    skipped = "skipped"
    due_moved = "due_moved"
    reassigned = "reassigned"
    finished = "finished"
    replan_accepted = "replan_accepted"
    replan_rejected = "replan_rejected"


class WorkflowRun(TasksModel, table=True):
    __tablename__ = "workflow_runs"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    template_id: int = Field(foreign_key="workflow_templates.id", index=True)
    version_id: int = Field(foreign_key="workflow_versions.id")
    version_number: int
    name: str = Field(max_length=200)
    state: RunState = Field(sa_type=enum_type(RunState), index=True)
    anchors: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # key → ISO date
    hard_anchors: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    roles: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # role key → user id
    role_names: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    action_id: int | None = None
    surface_id: int | None = Field(default=None, index=True)
    started_by: int
    send_backs: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class RunHistory(TasksModel, table=True):
    """What happened in a run, in order: started, handed over, sent back, reassigned, re-planned."""

    __tablename__ = "workflow_run_history"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    run_id: int = Field(foreign_key="workflow_runs.id", index=True, ondelete="CASCADE")
    task_id: int | None = None
    kind: str = Field(max_length=40)
    actor_id: int | None = None
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)


class ReplanProposal(TasksModel, table=True):
    """Proposed new dates for later steps: shown as a diff, applied only when someone accepts it."""

    __tablename__ = "replan_proposals"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    run_id: int = Field(foreign_key="workflow_runs.id", index=True, ondelete="CASCADE")
    cause_task_id: int | None = None
    delta_days: int
    state: ProposalState = Field(sa_type=enum_type(ProposalState))
    options: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)  # option → list of changes
    chosen: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
    decided_by: int | None = None


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    template_id: Id
    name: Name | None = PField(default=None, max_length=200)
    anchors: dict[str, Day]
    roles: dict[str, Id] = PField(default_factory=dict, description="Role key → member; the template's default else")
    action_id: Id | None = PField(default=None, description="An action of the action list this run delivers")
    surface_id: Id | None = None


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: Id


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accept: bool
    option: str | None = PField(default=None, description="shift, shorten or move_anchor; the first one offered")


class HistoryPublic(BaseModel):
    """One line of a run's history."""

    id: int
    task_id: int | None
    kind: HistoryKind
    actor_id: int | None
    detail: dict[str, Any]
    created_at: datetime


class ProposalPublic(BaseModel):
    id: int
    run_id: int
    cause_task_id: int | None
    delta_days: int
    state: ProposalState
    options: dict[str, Any]
    chosen: str | None
    created_at: datetime
    decided_at: datetime | None


class RunPublic(BaseModel):
    id: int
    template_id: int
    version_number: int
    name: str
    state: RunState
    anchors: dict[str, Any]
    hard_anchors: list[str]
    roles: dict[str, Any]
    role_names: dict[str, Any]
    action_id: int | None
    surface_id: int | None
    started_by: int
    send_backs: int
    created_at: datetime
    finished_at: datetime | None
    late: bool = False
    holders: list[int] = PField(default_factory=list, description="Who holds the work now")


class RunDetail(RunPublic):
    tasks: list[TaskPublic]
    history: list[HistoryPublic]
    proposals: list[ProposalPublic]


class RunList(Page[RunPublic]):
    pass
