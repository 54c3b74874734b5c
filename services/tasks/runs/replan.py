"""Re-planning: when a step finishes late or early (or its due date moves), propose new dates for the later
steps, keeping their gaps. Steps pinned to a hard anchor never move silently: when the shift would push past
one, the proposal offers shortened durations (from the role's history when there is some) or moving the
anchor. Nothing changes until a person accepts one option."""

from __future__ import annotations

from datetime import date
from statistics import median

from sqlmodel import Session, select

from kit.errors import Conflict, Invalid, NotFound
from kit.fields import utcnow
from services.tasks.reminders import service as reminders
from services.tasks.runs.models import ProposalState, ReplanProposal, RunHistory, WorkflowRun
from services.tasks.tasks.models import FINISHED, Task, TaskState
from services.tasks.workflows.schedule import start_date
from services.tasks.workflows.workdays import WorkCalendar


def _later(tasks: list[Task], key: str) -> list[Task]:
    """The unfinished steps that depend on `key`, directly or through others."""
    found = {key}
    grew = True
    while grew:
        grew = False
        for t in tasks:
            if t.step_key not in found and found & set(t.depends_on):
                found.add(t.step_key)
                grew = True
    return [t for t in tasks if t.step_key in found and t.step_key != key and t.state not in FINISHED]


def _change(task: Task, due: date, cal: WorkCalendar, days: int | None = None) -> dict:
    out = {"task_id": task.id, "step": task.step_key, "title": task.title, "old_due": task.due_on.isoformat()}
    out["new_due"] = due.isoformat()
    out["new_start"] = start_date(cal, due, days or task.planned_days).isoformat()
    if days is not None and days != task.planned_days:
        out |= {"old_days": task.planned_days, "new_days": days}
    return out


def role_history(session: Session, workspace_id: int, role_key: str, step_key: str, cal: WorkCalendar) -> int | None:
    """The median working days this step took in finished runs (None without history)."""
    rows = session.exec(
        select(Task.opened_at, Task.done_at)
        .where(
            Task.workspace_id == workspace_id,
            Task.role_key == role_key,
            Task.step_key == step_key,
            Task.state == TaskState.done,
        )
        .limit(50)
    ).all()
    spans = [max(1, cal.between(a.date(), b.date()) + 1) for a, b in rows if a and b]
    return round(median(spans)) if spans else None


def options(session: Session, run: WorkflowRun, later: list[Task], delta: int, cal: WorkCalendar) -> dict:
    """The ways to absorb `delta` working days: shift the soft steps, or shorten them, or move the anchor."""
    soft = [t for t in later if not t.hard]
    hard = [t for t in later if t.hard]
    shifted = {t.id: cal.add(t.due_on, delta) for t in soft}
    clash = delta > 0 and any(shifted[s.id] >= h.due_on for h in hard for s in soft if s.step_key in _deps(later, h))
    if not clash:
        return {"shift": [_change(t, shifted[t.id], cal) for t in soft]} if soft else {}
    shorten = []
    for t in soft:
        limit = cal.add(min(h.due_on for h in hard), -1)
        due = min(shifted[t.id], limit)
        squeeze = cal.between(due, shifted[t.id])
        known = role_history(session, run.workspace_id, t.role_key, t.step_key, cal)
        days = max(1, min(t.planned_days - squeeze, known or t.planned_days))
        shorten.append(_change(t, due, cal, days))
    moved = [_change(t, cal.add(t.due_on, delta), cal) for t in later]
    anchors = {
        a: cal.add(date.fromisoformat(d), delta).isoformat()
        for a, d in run.anchors.items()
        if a in {h.anchor_key for h in hard}
    }
    return {"shorten": shorten, "move_anchor": moved, "anchors": anchors}


def _deps(tasks: list[Task], task: Task) -> set[str]:
    by_key = {t.step_key: t for t in tasks}
    found, todo = set(), list(task.depends_on)
    while todo:
        key = todo.pop()
        if key not in found:
            found.add(key)
            todo.extend(by_key[key].depends_on if key in by_key else [])
    return found


def propose(
    *, session: Session, run: WorkflowRun, tasks: list[Task], cause: Task, delta: int, cal: WorkCalendar
) -> ReplanProposal | None:
    """A proposal for the steps after `cause` (which is `delta` working days late, or early when negative)."""
    later = _later(tasks, cause.step_key)
    found = options(session, run, later, delta, cal)
    if not any(found.get(k) for k in ("shift", "shorten", "move_anchor")):
        return None
    for old in session.exec(
        select(ReplanProposal).where(ReplanProposal.run_id == run.id, ReplanProposal.state == ProposalState.open)
    ).all():
        old.state = ProposalState.superseded
        session.add(old)
    proposal = ReplanProposal(
        workspace_id=run.workspace_id,
        run_id=run.id,
        cause_task_id=cause.id,
        delta_days=delta,
        state=ProposalState.open,
        options=found,
    )
    session.add(proposal)
    session.flush()
    from services.tasks.events.models import EventKind
    from services.tasks.events.service import record

    record(
        session=session,
        workspace_id=run.workspace_id,
        recipient_id=run.started_by,
        kind=EventKind.replan_proposed,
        run_id=run.id,
        task_id=cause.id,
        key=f"replan:{proposal.id}",
        link=f"/runs/{run.id}",
        params={"run": run.name, "task": cause.title},
    )
    return proposal


def close_open(*, session: Session, run: WorkflowRun) -> None:
    """A finished run has nothing left to re-plan: its open proposal is superseded."""
    for old in session.exec(
        select(ReplanProposal).where(ReplanProposal.run_id == run.id, ReplanProposal.state == ProposalState.open)
    ).all():
        old.state = ProposalState.superseded
        session.add(old)


def decide(
    *, session: Session, run: WorkflowRun, proposal_id: int, accept: bool, option: str | None, actor_id: int
) -> ReplanProposal:
    """Accept one option (its dates and durations are applied) or reject the proposal (nothing moves)."""
    proposal = session.get(ReplanProposal, proposal_id) if 0 < proposal_id < 2**31 else None
    if proposal is None or proposal.run_id != run.id:
        raise NotFound(f"No proposal {proposal_id} in this run.")
    if proposal.state != ProposalState.open:
        raise Conflict(f"The proposal is {proposal.state.value}.")
    offered = [k for k in ("shift", "shorten", "move_anchor") if proposal.options.get(k)]
    chosen = option or offered[0]
    if accept and chosen not in offered:
        raise Invalid.field("option", f"choose one of {', '.join(offered)}")
    if accept:
        _apply(session, run, proposal.options[chosen])
        if chosen == "move_anchor":
            run.anchors = {**run.anchors, **proposal.options.get("anchors", {})}
            session.add(run)
    proposal.state = ProposalState.accepted if accept else ProposalState.rejected
    proposal.chosen, proposal.decided_at, proposal.decided_by = (chosen if accept else None), utcnow(), actor_id
    session.add(proposal)
    session.add(
        RunHistory(
            workspace_id=run.workspace_id,
            run_id=run.id,
            kind="replan_" + proposal.state.value,
            actor_id=actor_id,
            detail={"proposal_id": proposal.id, "option": proposal.chosen},
        )
    )
    session.flush()
    return proposal


def _apply(session: Session, run: WorkflowRun, changes: list[dict]) -> None:
    for change in changes:
        task = session.get(Task, change["task_id"])
        if task is None or task.run_id != run.id or task.state in FINISHED:
            continue
        task.due_on = date.fromisoformat(change["new_due"])
        task.start_on = date.fromisoformat(change["new_start"])
        if "new_days" in change:
            task.planned_days = change["new_days"]
        task.updated_at = utcnow()
        session.add(task)
        reminders.sync(session, task, now=task.updated_at)
