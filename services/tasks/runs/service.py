"""Business rules of runs: start one from a published version, list and read them, reassign a role."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists
from sqlmodel import Session, col, select

from kit.errors import Conflict, Invalid, NotFound
from kit.query import get_scoped, order_by, select_page
from services.tasks.actions.models import Action
from services.tasks.events.models import EventKind
from services.tasks.events.service import record
from services.tasks.runs.models import (
    HistoryPublic,
    ProposalPublic,
    ReplanProposal,
    RunCreate,
    RunDetail,
    RunHistory,
    RunPublic,
    RunState,
    WorkflowRun,
)
from services.tasks.tasks import flow
from services.tasks.tasks.models import ACTIVE, FINISHED, Task, TaskApprover, TaskState
from services.tasks.tasks.service import hours_by_task, task_public
from services.tasks.workflows import service as workflows
from services.tasks.workflows.models import Definition
from services.tasks.workflows.schedule import plan
from services.tasks.workflows.workdays import WorkCalendar

SORTS = {"name", "created_at", "state"}


def get_run(*, session: Session, workspace_id: int, run_id: int) -> WorkflowRun:
    """The run, if it belongs to the workspace."""
    return get_scoped(session, WorkflowRun, workspace_id, run_id, "run")


def bind_roles(definition: Definition, given: dict[str, int], members: set[int]) -> dict[str, int]:
    """Role key → member: the one given, else the template's usual person; each must be a workspace member."""
    known = {r.key: r for r in definition.roles}
    for key in given:
        if key not in known:
            raise Invalid.field(f"roles.{key}", "the template has no such role")
    bound = {}
    for key, role in known.items():
        user_id = given.get(key) or role.default_user_id
        if user_id is None:
            raise Invalid.field(f"roles.{key}", "bind a member of the workspace to this role")
        if user_id not in members:
            raise Invalid.field(f"roles.{key}", "not a member of this workspace")
        bound[key] = user_id
    return bound


def eligible_approvers(task: Task, tasks: list[Task], roles: dict[str, int]) -> set[int]:
    """The people of the approver roles, less the authors of the work (unless the step lets them approve)."""
    people = {roles[r] for r in task.approver_roles if r in roles}
    if not task.author_may_approve:
        authors = {t.owner_id for t in tasks if t.step_key in task.depends_on}
        people -= authors
    return people


def _check_approvals(tasks: list[Task], roles: dict[str, int]) -> None:
    for task in tasks:
        if task.approvals_required and len(eligible_approvers(task, tasks, roles)) < task.approvals_required:
            raise Invalid.field(
                "roles",
                f"step {task.step_key!r} needs {task.approvals_required} different approvers who are "
                "not the authors of the work",
            )


def start_run(
    *,
    session: Session,
    workspace_id: int,
    user_id: int,
    data: RunCreate,
    members: set[int],
    cal: WorkCalendar,
    now: datetime,
) -> WorkflowRun:
    """Start the template's published version: a task per step, the first steps handed to their owners."""
    try:  # an id in the body: a foreign or unknown one is a 422 naming the field, not a 404 of the URL
        template = workflows.get_template(session=session, workspace_id=workspace_id, template_id=data.template_id)
    except NotFound as missing:
        raise Invalid.field("template_id", str(missing)) from missing
    if data.action_id is not None:  # the action list lives in this service: checked here, in the same workspace
        try:
            get_scoped(session, Action, workspace_id, data.action_id, "action")
        except NotFound as missing:
            raise Invalid.field("action_id", str(missing)) from missing
    version = workflows.get_version(session=session, template=template)
    definition = Definition.model_validate(version.definition)
    roles = bind_roles(definition, data.roles, members)
    planned = plan(definition, data.anchors, cal, strict=True)
    run = WorkflowRun(
        workspace_id=workspace_id,
        template_id=template.id,
        version_id=version.id,
        version_number=version.number,
        name=data.name or f"{template.name} {min(data.anchors.values()).isoformat()}",
        state=RunState.running,
        anchors={k: v.isoformat() for k, v in data.anchors.items()},
        hard_anchors=[a.key for a in definition.anchors if a.hard],
        roles=roles,
        role_names={r.key: r.name for r in definition.roles},
        action_id=data.action_id,
        surface_id=data.surface_id,
        started_by=user_id,
    )
    session.add(run)
    session.flush()
    hard = set(run.hard_anchors)
    tasks = [_task(run, position, p, roles, hard) for position, p in enumerate(planned)]
    _check_approvals(tasks, roles)
    session.add_all(tasks)
    session.flush()
    _set_approvers(session, run, tasks)
    flow.history(session, run, "started", actor_id=user_id, version=version.number)
    flow.hand_off(session, run, now, user_id, cal)
    return run


def _task(run: WorkflowRun, position: int, p, roles: dict[str, int], hard: set[str]) -> Task:
    s = p.step
    return Task(
        workspace_id=run.workspace_id,
        run_id=run.id,
        step_key=s.key,
        position=position,
        title=s.title,
        instructions=s.instructions,
        role_key=s.role,
        owner_id=roles[s.role],
        anchor_key=s.anchor,
        hard=s.anchor in hard and s.offset_days == 0,
        depends_on=list(s.depends_on),
        start_on=p.start_on,
        due_on=p.due_on,
        planned_days=s.duration_days,
        state=TaskState.waiting,
        approvals_required=s.approval.required if s.approval else 0,
        approver_roles=list(s.approval.approver_roles) if s.approval else [],
        author_may_approve=bool(s.approval and s.approval.author_may_approve),
    )


def _set_approvers(session: Session, run: WorkflowRun, tasks: list[Task]) -> None:
    for task in tasks:
        if not task.approvals_required or task.state in FINISHED:
            continue
        for row in session.exec(select(TaskApprover).where(TaskApprover.task_id == task.id)).all():
            session.delete(row)
        session.flush()
        for user_id in sorted(eligible_approvers(task, tasks, run.roles)):
            session.add(TaskApprover(workspace_id=run.workspace_id, task_id=task.id, user_id=user_id))
    session.flush()


def reassign_role(
    *, session: Session, run: WorkflowRun, role: str, user_id: int, members: set[int], actor_id: int, now: datetime
) -> WorkflowRun:
    """Move every open and future step of the role to another member; the change goes into the history."""
    if role not in run.roles:
        raise Invalid.field("role", "the run has no such role")
    if user_id not in members:
        raise Invalid.field("user_id", "not a member of this workspace")
    if run.state != RunState.running:
        raise Conflict("The run is not running.")
    old = run.roles[role]
    run.roles = {**run.roles, role: user_id}
    session.add(run)
    tasks = flow.run_tasks(session, run.id)
    for task in tasks:
        if task.role_key == role and task.state not in FINISHED:
            task.owner_id = user_id
            session.add(task)
            if task.state in ACTIVE:
                ids = dict(run_id=run.id, task_id=task.id, actor_id=actor_id, **flow.about(run, task))
                record(
                    session=session,
                    workspace_id=run.workspace_id,
                    recipient_id=user_id,
                    kind=EventKind.assigned,
                    key=f"task:{task.id}:assigned:{user_id}:{flow.stamp(now)}",
                    **ids,
                )
                record(
                    session=session,
                    workspace_id=run.workspace_id,
                    recipient_id=old,
                    kind=EventKind.reassigned_away,
                    key=f"task:{task.id}:reassigned:{flow.stamp(now)}",
                    **ids,
                )
    _set_approvers(session, run, tasks)
    for task in tasks:
        if task.state in ACTIVE and role in task.approver_roles and user_id in flow.approvers(session, task):
            record(
                session=session,
                workspace_id=run.workspace_id,
                recipient_id=user_id,
                kind=EventKind.approval_requested,
                run_id=run.id,
                task_id=task.id,
                actor_id=actor_id,
                key=f"task:{task.id}:approval:{task.approval_round}:{flow.stamp(now)}",
                **flow.about(run, task),
            )
    flow.history(session, run, "reassigned", actor_id=actor_id, role=role, old=old, new=user_id)
    return run


def list_runs(
    *,
    session: Session,
    workspace_id: int,
    today: date,
    template_id: int | None = None,
    state: RunState | None = None,
    surface_id: int | None = None,
    owner_id: int | None = None,
    late: bool | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[WorkflowRun], int]:
    """One page of runs, filtered by template, state, surface, a person holding a step, and lateness."""
    where = [WorkflowRun.workspace_id == workspace_id]
    if template_id is not None:
        where.append(WorkflowRun.template_id == template_id)
    if state is not None:
        where.append(WorkflowRun.state == state)
    if surface_id is not None:
        where.append(WorkflowRun.surface_id == surface_id)
    if owner_id is not None:
        where.append(
            exists().where(Task.run_id == WorkflowRun.id, Task.owner_id == owner_id, col(Task.state).in_(ACTIVE))
        )
    if late is not None:
        overdue = exists().where(Task.run_id == WorkflowRun.id, col(Task.state).in_(ACTIVE), Task.due_on < today)
        where.append(overdue if late else ~overdue)
    order = order_by(WorkflowRun, sort, SORTS, [col(WorkflowRun.created_at).desc()])
    return select_page(session, WorkflowRun, where, order, limit=limit, offset=offset)


def publics(session: Session, runs: list[WorkflowRun], today: date) -> list[RunPublic]:
    """The list views, with who holds each run's work and whether it is late (one query for the page)."""
    active = (
        session.exec(
            select(Task.run_id, Task.owner_id, Task.due_on).where(
                col(Task.run_id).in_([r.id for r in runs]), col(Task.state).in_(ACTIVE)
            )
        ).all()
        if runs
        else []
    )
    out = []
    for run in runs:
        mine = [a for a in active if a[0] == run.id]
        public = RunPublic.model_validate(run, from_attributes=True)
        public.holders = sorted({a[1] for a in mine if a[1] is not None})
        public.late = any(a[2] < today for a in mine)
        out.append(public)
    return out


def detail(session: Session, run: WorkflowRun, today: date) -> RunDetail:
    """The run with its tasks, history and re-plan proposals."""
    tasks = flow.run_tasks(session, run.id)
    rows = session.exec(select(RunHistory).where(RunHistory.run_id == run.id).order_by(RunHistory.id)).all()
    proposals = session.exec(
        select(ReplanProposal).where(ReplanProposal.run_id == run.id).order_by(col(ReplanProposal.id).desc())
    ).all()
    base = publics(session, [run], today)[0]
    hours = hours_by_task(session, [t.id for t in tasks])
    return RunDetail(
        **base.model_dump(),
        tasks=[task_public(session, t, hours=hours.get(t.id, 0.0)) for t in tasks],
        history=[HistoryPublic.model_validate(h, from_attributes=True) for h in rows],
        proposals=[ProposalPublic.model_validate(p, from_attributes=True) for p in proposals],
    )
