"""HTTP routes of tasks (the steps of runs) and of My work."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session

from kit.deps import OneHopRoute, SessionDep
from kit.fields import utcnow
from kit.identity import EditorDep, Principal, PrincipalDep, WorkspacesDep
from kit.pagination import IdQuery, PageDep
from services.tasks.runs.service import get_run
from services.tasks.tasks import flow, service
from services.tasks.tasks.models import (
    Approve,
    CommentCreate,
    CommentList,
    CommentPublic,
    DueChange,
    MyWork,
    SendBack,
    Skip,
    TaskList,
    TaskPublic,
    TaskState,
    TimeEntryCreate,
    TimeEntryPublic,
    TimeLog,
)
from services.tasks.workflows.calendar import work_calendar

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"], route_class=OneHopRoute)
my_work = APIRouter(prefix="/api/v1/my-work", tags=["tasks"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such task in this workspace"}, 409: {"description": "Not in that state"}}


def _context(session: Session, principal: Principal, task_id: int):
    task = service.get_task(session=session, workspace_id=principal.workspace_id, task_id=task_id)
    run = get_run(session=session, workspace_id=principal.workspace_id, run_id=task.run_id)
    cal = work_calendar(session=session, workspace_id=principal.workspace_id, timezone=principal.timezone)
    return run, task, dict(now=utcnow(), today=principal.today(), cal=cal, actor_id=principal.user_id)


@router.get("", response_model=TaskList, operation_id="listTasks", summary="List tasks")
def list_tasks(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    run_id: IdQuery = None,
    owner_id: IdQuery = None,
    state: Annotated[list[TaskState] | None, Query()] = None,
):
    rows, total = service.list_tasks(
        session=session,
        workspace_id=principal.workspace_id,
        run_id=run_id,
        owner_id=owner_id,
        states=state,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
    )
    hours = service.hours_by_task(session, [t.id for t in rows])
    return TaskList.of([service.task_public(session, t, hours=hours.get(t.id, 0.0)) for t in rows], total, page)


@router.get("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND, operation_id="getTask")
def get_task(task_id: int, session: SessionDep, principal: PrincipalDep):
    """A task with who approved it in the current round."""
    task = service.get_task(session=session, workspace_id=principal.workspace_id, task_id=task_id)
    return service.task_public(session, task)


@router.patch("/{task_id}", response_model=TaskPublic, responses=NOT_FOUND, operation_id="moveTaskDue")
def move_due(task_id: int, data: DueChange, session: SessionDep, principal: EditorDep):
    """Move the due date; the later steps get a re-plan proposal (accept it on the run)."""
    run, task, ctx = _context(session, principal, task_id)
    service.move_due(session=session, run=run, task=task, due_on=data.due_on, cal=ctx["cal"], actor_id=ctx["actor_id"])
    return service.task_public(session, task)


@router.post("/{task_id}/start", response_model=TaskPublic, responses=NOT_FOUND, operation_id="startTask")
def start_task(task_id: int, session: SessionDep, principal: EditorDep):
    """Begin the work on an open step."""
    run, task, ctx = _context(session, principal, task_id)
    return service.task_public(session, flow.start(session, run, task, ctx["now"], principal.user_id))


@router.post("/{task_id}/complete", response_model=TaskPublic, responses=NOT_FOUND, operation_id="completeTask")
def complete_task(task_id: int, session: SessionDep, principal: EditorDep):
    """Done: the next steps whose dependencies are met go to their owners in the same transaction."""
    run, task, ctx = _context(session, principal, task_id)
    return service.task_public(session, flow.complete(session, run, task, **ctx))


@router.post("/{task_id}/approve", response_model=TaskPublic, responses=NOT_FOUND, operation_id="approveTask")
def approve_task(task_id: int, data: Approve, session: SessionDep, principal: EditorDep):
    """Approve an approval step; the required number of approvals completes it."""
    run, task, ctx = _context(session, principal, task_id)
    return service.task_public(session, flow.approve(session, run, task, comment=data.comment, **ctx))


@router.post("/{task_id}/send-back", response_model=TaskPublic, responses=NOT_FOUND, operation_id="sendBackTask")
def send_back(task_id: int, data: SendBack, session: SessionDep, principal: EditorDep):
    """Send the work back to an earlier step (the one before by default), with a comment; returns that step."""
    run, task, ctx = _context(session, principal, task_id)
    back = flow.send_back(session, run, task, target=data.target, comment=data.comment, **ctx)
    return service.task_public(session, back)


@router.post("/{task_id}/skip", response_model=TaskPublic, responses=NOT_FOUND, operation_id="skipTask")
def skip_task(task_id: int, data: Skip, session: SessionDep, principal: EditorDep):
    """Skip a step, with the reason."""
    run, task, ctx = _context(session, principal, task_id)
    now, cal = ctx["now"], ctx["cal"]
    skipped = flow.skip(session, run, task, reason=data.reason, now=now, actor_id=principal.user_id, cal=cal)
    return service.task_public(session, skipped)


@router.get("/{task_id}/comments", response_model=CommentList, responses=NOT_FOUND, operation_id="listTaskComments")
def list_comments(task_id: int, session: SessionDep, principal: PrincipalDep):
    """The task's comments, oldest first (send-backs and skips included)."""
    task = service.get_task(session=session, workspace_id=principal.workspace_id, task_id=task_id)
    rows = [CommentPublic.model_validate(c, from_attributes=True) for c in service.comments(session=session, task=task)]
    return CommentList(data=rows, count=len(rows))


@router.post(
    "/{task_id}/comments",
    response_model=CommentPublic,
    status_code=201,
    responses=NOT_FOUND,
    operation_id="addTaskComment",
)
def add_comment(task_id: int, data: CommentCreate, session: SessionDep, principal: EditorDep):
    """Comment on a task."""
    task = service.get_task(session=session, workspace_id=principal.workspace_id, task_id=task_id)
    return service.add_comment(session=session, task=task, author_id=principal.user_id, body=data.body)


@router.get("/{task_id}/time", response_model=TimeLog, responses=NOT_FOUND, operation_id="listTaskTime")
def list_time(task_id: int, session: SessionDep, principal: PrincipalDep):
    """The hours logged on the task, oldest first, and their total."""
    task = service.get_task(session=session, workspace_id=principal.workspace_id, task_id=task_id)
    rows = [
        TimeEntryPublic.model_validate(e, from_attributes=True) for e in service.time_log(session=session, task=task)
    ]
    return TimeLog(data=rows, count=len(rows), total_hours=round(sum(r.hours for r in rows), 4))


@router.post(
    "/{task_id}/time",
    response_model=TimeEntryPublic,
    status_code=201,
    responses=NOT_FOUND,
    operation_id="logTaskTime",
)
def log_time(task_id: int, data: TimeEntryCreate, session: SessionDep, principal: EditorDep):
    """Log hours spent on the task (on a day, today by default): summed per month as activity data."""
    task = service.get_task(session=session, workspace_id=principal.workspace_id, task_id=task_id)
    entry = service.log_time(
        session=session,
        task=task,
        user_id=principal.user_id,
        hours=data.hours,
        day=data.day or principal.today(),
        note=data.note,
    )
    return TimeEntryPublic.model_validate(entry, from_attributes=True)


@router.delete(
    "/{task_id}/time/{entry_id}",
    status_code=204,
    responses={404: {"description": "No such task or entry in this workspace"}},
    operation_id="deleteTaskTime",
)
def delete_time(task_id: int, entry_id: int, session: SessionDep, principal: EditorDep):
    """Remove an entry of the time log."""
    task = service.get_task(session=session, workspace_id=principal.workspace_id, task_id=task_id)
    service.delete_time(session=session, task=task, entry_id=entry_id)


@my_work.get("", response_model=MyWork, operation_id="getMyWork", summary="My work across my workspaces")
def get_my_work(session: SessionDep, principal: PrincipalDep, mine: WorkspacesDep):
    """Overdue, due today, this week, later, and waiting for my approval: in every workspace the gateway vouches
    the caller belongs to (only the token's own workspace for an API token)."""
    return service.my_work(session=session, user_id=principal.user_id, workspace_ids=mine, today=principal.today())
