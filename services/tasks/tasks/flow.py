"""How work moves through a run: hand-off to the next owners, approvals, send-backs, skips.

Every function changes the tasks, the run, its history and the events together; the request commits once,
so a hand-off is one transaction: the finished step, the opened steps and their "assigned to you" events."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from kit.errors import Conflict, Forbidden, Invalid
from services.tasks.events.models import EventKind
from services.tasks.events.service import record
from services.tasks.reminders import service as reminders
from services.tasks.runs import replan
from services.tasks.runs.models import RunHistory, RunState, WorkflowRun
from services.tasks.tasks.models import ACTIVE, FINISHED, Task, TaskApproval, TaskApprover, TaskComment, TaskState
from services.tasks.workflows.workdays import WorkCalendar


def run_tasks(session: Session, run_id: int) -> list[Task]:
    """The run's tasks in step order."""
    return list(session.exec(select(Task).where(Task.run_id == run_id).order_by(Task.position)).all())


def about(run: WorkflowRun, task: Task | None = None) -> dict:
    """The link and the message params of an event about this run (and step): what notifications render."""
    if task is None:
        return {"link": f"/runs/{run.id}", "params": {"run": run.name}}
    params = {"run": run.name, "task": task.title, "step": task.step_key, "due": task.due_on.isoformat()}
    return {"link": f"/runs/{run.id}#task-{task.id}", "params": params}


def stamp(now: datetime) -> str:
    """The moment of a change, for occurrence keys: the same step handed over again is another occurrence."""
    return now.strftime("%Y%m%dT%H%M%S")


def history(session: Session, run: WorkflowRun, kind: str, *, task: Task | None = None, actor_id=None, **detail):
    session.add(
        RunHistory(
            workspace_id=run.workspace_id,
            run_id=run.id,
            task_id=task.id if task else None,
            kind=kind,
            actor_id=actor_id,
            detail=detail,
        )
    )


def set_state(task: Task, state: TaskState, now: datetime) -> None:
    task.state, task.state_since, task.updated_at = state, now, now


def upstream(tasks: list[Task], task: Task) -> set[str]:
    """Every step `task` depends on, directly or through others."""
    by_key = {t.step_key: t for t in tasks}
    found: set[str] = set()
    todo = list(task.depends_on)
    while todo:
        key = todo.pop()
        if key not in found and key in by_key:
            found.add(key)
            todo.extend(by_key[key].depends_on)
    return found


def downstream(tasks: list[Task], key: str) -> list[Task]:
    """Every task that depends on step `key`, directly or through others, in step order."""
    found: set[str] = {key}
    changed = True
    while changed:
        changed = False
        for t in tasks:
            if t.step_key not in found and found & set(t.depends_on):
                found.add(t.step_key)
                changed = True
    return [t for t in tasks if t.step_key in found and t.step_key != key]


def open_task(
    session: Session, run: WorkflowRun, task: Task, now: datetime, actor_id: int | None, cal: WorkCalendar | None = None
) -> None:
    """Hand a step to its owner: open it, write "assigned to you" and its reminders, and ask its approvers."""
    set_state(task, TaskState.open, now)
    task.opened_at = now
    session.add(task)
    reminders.sync(session, task, now=now, cal=cal)
    ids = dict(run_id=run.id, task_id=task.id, actor_id=actor_id, **about(run, task))
    record(
        session=session,
        workspace_id=run.workspace_id,
        recipient_id=task.owner_id,
        kind=EventKind.assigned,
        key=f"task:{task.id}:assigned:{task.owner_id}:{stamp(now)}",
        **ids,
    )
    if task.approvals_required:
        key = f"task:{task.id}:approval:{task.approval_round}:{stamp(now)}"
        for user_id in approvers(session, task):
            if user_id != task.owner_id:
                kind = EventKind.approval_requested
                record(session=session, workspace_id=run.workspace_id, recipient_id=user_id, kind=kind, key=key, **ids)
    history(session, run, "handed_over", task=task, actor_id=actor_id, owner_id=task.owner_id)


def approvers(session: Session, task: Task) -> list[int]:
    return list(session.exec(select(TaskApprover.user_id).where(TaskApprover.task_id == task.id)).all())


def hand_off(
    session: Session, run: WorkflowRun, now: datetime, actor_id: int | None, cal: WorkCalendar | None = None
) -> list[Task]:
    """Open every waiting step whose dependencies are all done or skipped; finish the run when all are."""
    tasks = run_tasks(session, run.id)
    finished = {t.step_key for t in tasks if t.state in FINISHED}
    opened = []
    for task in tasks:
        if task.state == TaskState.waiting and all(d in finished for d in task.depends_on):
            open_task(session, run, task, now, actor_id, cal)
            opened.append(task)
    if all(t.state in FINISHED for t in tasks) and run.state == RunState.running:
        run.state, run.finished_at, run.updated_at = RunState.finished, now, now
        session.add(run)
        replan.close_open(session=session, run=run)
        record(
            session=session,
            workspace_id=run.workspace_id,
            recipient_id=run.started_by,
            kind=EventKind.run_finished,
            run_id=run.id,
            key=f"run:{run.id}:finished",
            **about(run),
        )
        history(session, run, "finished", actor_id=actor_id)
    session.flush()
    return opened


def _active(task: Task) -> None:
    if task.state not in ACTIVE:
        raise Conflict(f"The step is {task.state.value.replace('_', ' ')}, not open.")


def start(session: Session, run: WorkflowRun, task: Task, now: datetime, actor_id: int) -> Task:
    """The owner begins the work."""
    _active(task)
    set_state(task, TaskState.in_progress, now)
    session.add(task)
    history(session, run, "started", task=task, actor_id=actor_id)
    return task


def finish(
    session: Session, run: WorkflowRun, task: Task, *, now: datetime, today: date, cal: WorkCalendar, actor_id: int
) -> Task:
    """Mark the step done, propose a re-plan if it finished off its date, and hand the next steps on."""
    set_state(task, TaskState.done, now)
    task.done_at = now
    session.add(task)
    reminders.sync(session, task, now=now, cal=cal)
    history(session, run, "done", task=task, actor_id=actor_id, due_on=task.due_on.isoformat(), on=today.isoformat())
    delta = cal.between(task.due_on, today)
    if delta:
        replan.propose(session=session, run=run, tasks=run_tasks(session, run.id), cause=task, delta=delta, cal=cal)
    hand_off(session, run, now, actor_id, cal)
    return task


def complete(session: Session, run: WorkflowRun, task: Task, **kw) -> Task:
    """Complete an ordinary step; an approval step completes by its approvals."""
    _active(task)
    if task.approvals_required:
        raise Conflict(f"This step completes when it has {task.approvals_required} approval(s).")
    return finish(session, run, task, **kw)


def approve(session: Session, run: WorkflowRun, task: Task, *, comment: str | None, actor_id: int, **kw) -> Task:
    """One approval; the required number of distinct approvers completes the step."""
    _active(task)
    if not task.approvals_required:
        raise Conflict("This step asks for no approval.")
    if actor_id not in approvers(session, task):
        raise Forbidden("You are not an approver of this step.")
    given = set(
        session.exec(
            select(TaskApproval.approver_id).where(
                TaskApproval.task_id == task.id, TaskApproval.round == task.approval_round
            )
        ).all()
    )
    if actor_id in given:
        raise Conflict("You have approved this step already.")
    session.add(
        TaskApproval(
            workspace_id=run.workspace_id,
            task_id=task.id,
            round=task.approval_round,
            approver_id=actor_id,
            comment=comment,
        )
    )
    history(session, run, "approved", task=task, actor_id=actor_id, round=task.approval_round)
    if len(given) + 1 >= task.approvals_required:
        finish(session, run, task, actor_id=actor_id, **kw)
    session.flush()
    return task


def send_back(
    session: Session,
    run: WorkflowRun,
    task: Task,
    *,
    target: str | None,
    comment: str,
    now: datetime,
    today: date,
    cal: WorkCalendar,
    actor_id: int,
) -> Task:
    """Return the work to an earlier step: it reopens due today plus its planned days; later work waits again."""
    _active(task)
    tasks = run_tasks(session, run.id)
    earlier = upstream(tasks, task)
    key = target or (task.depends_on[-1] if task.depends_on else None)
    if key is None or key not in earlier:
        raise Invalid.field("target", "name an earlier step of this run that this step depends on")
    back = next(t for t in tasks if t.step_key == key)
    for other in downstream(tasks, key):
        if other.state in ACTIVE or other.id == task.id:
            set_state(other, TaskState.waiting, now)
            session.add(other)
            reminders.sync(session, other, now=now, cal=cal)
    task.approval_round += 1
    set_state(back, TaskState.sent_back, now)
    back.opened_at, back.done_at = now, None
    back.due_on = cal.add(today, max(back.planned_days, 1))
    back.send_backs += 1
    run.send_backs += 1
    session.add_all([back, task, run])
    reminders.sync(session, back, now=now, cal=cal)
    session.add(
        TaskComment(workspace_id=run.workspace_id, task_id=back.id, author_id=actor_id, body=comment, kind="send_back")
    )
    record(
        session=session,
        workspace_id=run.workspace_id,
        recipient_id=back.owner_id,
        kind=EventKind.sent_back,
        run_id=run.id,
        task_id=back.id,
        actor_id=actor_id,
        key=f"task:{back.id}:sent_back:{back.send_backs}",
        **about(run, back),
    )
    history(session, run, "sent_back", task=task, actor_id=actor_id, target=key, comment=comment)
    session.flush()
    return back


def skip(
    session: Session,
    run: WorkflowRun,
    task: Task,
    *,
    reason: str,
    now: datetime,
    actor_id: int,
    cal: WorkCalendar | None = None,
) -> Task:
    """Skip a step that is not needed this time; the steps after it move on."""
    if task.state in FINISHED:
        raise Conflict("The step is finished already.")
    set_state(task, TaskState.skipped, now)
    task.skip_reason = reason
    session.add(task)
    reminders.sync(session, task, now=now, cal=cal)
    session.add(
        TaskComment(workspace_id=run.workspace_id, task_id=task.id, author_id=actor_id, body=reason, kind="skip")
    )
    history(session, run, "skipped", task=task, actor_id=actor_id, reason=reason)
    hand_off(session, run, now, actor_id, cal)
    return task
