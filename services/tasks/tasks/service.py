"""Business rules of tasks: read, list, comment, move a due date, log time, and My work across workspaces."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists
from sqlmodel import Session, col, func, select

from kit.db import save
from kit.errors import NotFound
from kit.query import get_scoped, order_by, select_page
from services.tasks.reminders import service as reminders
from services.tasks.runs import replan
from services.tasks.runs.models import WorkflowRun
from services.tasks.tasks.models import (
    ACTIVE,
    CommentPublic,
    MyWork,
    MyWorkItem,
    Task,
    TaskApproval,
    TaskApprover,
    TaskComment,
    TaskPublic,
    TaskState,
    TimeEntry,
)
from services.tasks.workflows.workdays import WorkCalendar

SORTS = {"due_on", "start_on", "title", "state", "position"}
MY_WORK_LIMIT = 500


def get_task(*, session: Session, workspace_id: int, task_id: int) -> Task:
    """The task, if it belongs to the workspace."""
    return get_scoped(session, Task, workspace_id, task_id, "task")


def hours_by_task(session: Session, task_ids: list[int]) -> dict[int, float]:
    """The hours logged on each of the tasks, in one GROUP BY."""
    if not task_ids:
        return {}
    rows = session.exec(
        select(TimeEntry.task_id, func.sum(TimeEntry.hours))
        .where(col(TimeEntry.task_id).in_(task_ids))
        .group_by(TimeEntry.task_id)
    ).all()
    return {task_id: round(float(total), 4) for task_id, total in rows}


def task_public(
    session: Session, task: Task, approvals: list[int] | None = None, hours: float | None = None
) -> TaskPublic:
    """The public view, with who approved in the current round and the hours logged."""
    if approvals is None and task.approvals_required:
        approvals = list(
            session.exec(
                select(TaskApproval.approver_id).where(
                    TaskApproval.task_id == task.id, TaskApproval.round == task.approval_round
                )
            ).all()
        )
    if hours is None:
        hours = hours_by_task(session, [task.id]).get(task.id, 0.0)
    return TaskPublic(**task.model_dump(), approvals=approvals or [], hours_logged=hours)


def list_tasks(
    *,
    session: Session,
    workspace_id: int,
    run_id: int | None = None,
    owner_id: int | None = None,
    states: Iterable[TaskState] | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Task], int]:
    """One page of the workspace's tasks."""
    where = [Task.workspace_id == workspace_id]
    if run_id is not None:
        where.append(Task.run_id == run_id)
    if owner_id is not None:
        where.append(Task.owner_id == owner_id)
    if states:
        where.append(col(Task.state).in_(list(states)))
    order = order_by(Task, sort, SORTS, [col(Task.due_on), col(Task.position)])
    return select_page(session, Task, where, order, limit=limit, offset=offset)


def comments(*, session: Session, task: Task) -> list[TaskComment]:
    """The task's comments, oldest first."""
    q = select(TaskComment).where(TaskComment.task_id == task.id).order_by(TaskComment.id)
    return list(session.exec(q).all())


def add_comment(*, session: Session, task: Task, author_id: int, body: str) -> CommentPublic:
    """Add a comment to a task."""
    row = TaskComment(workspace_id=task.workspace_id, task_id=task.id, author_id=author_id, body=body)
    session.add(row)
    session.flush()
    return CommentPublic.model_validate(row, from_attributes=True)


def move_due(
    *,
    session: Session,
    run: WorkflowRun,
    task: Task,
    due_on: date,
    cal: WorkCalendar,
    actor_id: int,
    now: datetime | None = None,
) -> Task:
    """Move a step's due date; the later steps get a re-plan proposal to accept, never a silent move."""
    from services.tasks.tasks.flow import history, run_tasks

    delta = cal.between(task.due_on, due_on)
    old = task.due_on
    save(session, task, {"due_on": due_on})
    reminders.sync(session, task, now=now or task.updated_at, cal=cal)
    history(session, run, "due_moved", task=task, actor_id=actor_id, old=old.isoformat(), new=due_on.isoformat())
    if delta:
        replan.propose(session=session, run=run, tasks=run_tasks(session, run.id), cause=task, delta=delta, cal=cal)
    return task


def _bucket(due: date, today: date) -> str:
    if due < today:
        return "overdue"
    if due == today:
        return "today"
    return "week" if due <= today + timedelta(days=6 - today.weekday()) else "later"


def my_work(*, session: Session, user_id: int, workspace_ids: Iterable[int], today: date) -> MyWork:
    """The user's open steps and the approvals waiting for them, across the given workspaces: two statements."""
    ids = sorted(set(workspace_ids))
    owned = session.exec(
        select(Task, WorkflowRun.name)
        .join(WorkflowRun, WorkflowRun.id == Task.run_id)
        .where(Task.owner_id == user_id, col(Task.state).in_(ACTIVE), col(Task.workspace_id).in_(ids))
        .order_by(col(Task.due_on), col(Task.id))
        .limit(MY_WORK_LIMIT)
    ).all()
    approved = exists().where(
        TaskApproval.task_id == Task.id, TaskApproval.round == Task.approval_round, TaskApproval.approver_id == user_id
    )
    asked = session.exec(
        select(Task, WorkflowRun.name)
        .join(TaskApprover, and_(TaskApprover.task_id == Task.id, TaskApprover.user_id == user_id))
        .join(WorkflowRun, WorkflowRun.id == Task.run_id)
        .where(col(TaskApprover.workspace_id).in_(ids), col(Task.state).in_(ACTIVE), ~approved)
        .order_by(col(Task.due_on), col(Task.id))
        .limit(MY_WORK_LIMIT)
    ).all()
    out = MyWork(today=today, overdue=[], due_today=[], this_week=[], later=[], waiting_for_approval=[], workspaces=ids)
    lists = out.buckets()
    for task, name in owned:
        if task.approvals_required and any(t.id == task.id for t, _ in asked):
            continue
        bucket = _bucket(task.due_on, today)
        lists[bucket].append(
            MyWorkItem(task=_light(task), workspace_id=task.workspace_id, run_name=name, bucket=bucket)
        )
    for task, name in asked:
        item = MyWorkItem(task=_light(task), workspace_id=task.workspace_id, run_name=name, bucket="approval")
        out.waiting_for_approval.append(item)
    return out


def _light(task: Task) -> TaskPublic:
    return TaskPublic(**task.model_dump(), approvals=[])


def time_log(*, session: Session, task: Task) -> list[TimeEntry]:
    """The hours logged on a task, oldest first."""
    query = select(TimeEntry).where(TimeEntry.task_id == task.id).order_by(col(TimeEntry.day), col(TimeEntry.id))
    return list(session.exec(query).all())


def log_time(*, session: Session, task: Task, user_id: int, hours: float, day: date, note: str | None) -> TimeEntry:
    """Log hours spent on a task on a day."""
    entry = TimeEntry(workspace_id=task.workspace_id, task_id=task.id, user_id=user_id, day=day, hours=hours, note=note)
    session.add(entry)
    session.flush()
    return entry


def delete_time(*, session: Session, task: Task, entry_id: int) -> None:
    """Remove an entry of the task's time log; NotFound for another task's."""
    entry = session.get(TimeEntry, entry_id)
    if entry is None or entry.task_id != task.id:
        raise NotFound(f"No time entry {entry_id} on this task.")
    session.delete(entry)
    session.flush()
