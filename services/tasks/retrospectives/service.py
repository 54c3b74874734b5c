"""Retrospective statistics of a template's finished runs, and the next version they suggest."""

from __future__ import annotations

import math
from collections import defaultdict
from statistics import median

from sqlmodel import Session, col, select

from kit.errors import Conflict, Invalid
from services.tasks.retrospectives.models import NoteCreate, NotePublic, Retrospective, RunNote, StepStats
from services.tasks.runs.models import RunState, WorkflowRun
from services.tasks.tasks.models import Task, TaskState
from services.tasks.workflows import service as workflows
from services.tasks.workflows.models import DayKind, Definition, WorkflowTemplate, WorkflowUpdate
from services.tasks.workflows.workdays import WorkCalendar


def p80(values: list[float]) -> float | None:
    """The 80th percentile (nearest rank)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.8 * len(ordered)) - 1)]


def _median(values: list[float]) -> float | None:
    return float(median(values)) if values else None


def _step_stats(step, tasks: list[Task], cal: WorkCalendar) -> StepStats:
    done = [t for t in tasks if t.state == TaskState.done and t.opened_at and t.done_at]
    actual = [max(1, cal.between(t.opened_at.date(), t.done_at.date()) + 1) for t in done]
    lateness = [cal.between(t.due_on, t.done_at.date()) for t in done]
    late = [d for d in lateness if d > 0]
    waiting = [max(0, cal.between(t.start_on, t.opened_at.date())) for t in done]
    late_p80 = p80([max(0, d) for d in lateness]) or 0
    shift = math.ceil(late_p80 * (7 / 5 if step.day_kind == DayKind.calendar else 1))
    earlier = shift and step.offset_days < 0
    return StepStats(
        step=step.key,
        title=step.title,
        role=step.role,
        runs=len(done),
        planned_days=step.duration_days,
        actual_median=_median(actual),
        actual_p80=p80(actual),
        late_runs=len(late),
        late_median=_median(late),
        late_p80=p80(late),
        waiting_median=_median(waiting),
        send_backs=sum(t.send_backs for t in tasks),
        offset_days=step.offset_days,
        suggested_offset=step.offset_days - shift if earlier else step.offset_days,
        suggested_duration=math.ceil(p80(actual)) if actual else step.duration_days,
    )


def retrospective(*, session: Session, template: WorkflowTemplate, cal: WorkCalendar) -> Retrospective:
    """Per step and role: planned against actual days, lateness, waiting, send-backs; and the suggested changes."""
    version = workflows.get_version(session=session, template=template) if template.published_version else None
    runs = session.exec(
        select(WorkflowRun.id).where(WorkflowRun.template_id == template.id, WorkflowRun.state == RunState.finished)
    ).all()
    tasks = session.exec(select(Task).where(col(Task.run_id).in_(list(runs)))).all() if runs else []
    by_step: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        by_step[task.step_key].append(task)
    steps = []
    if version is not None:
        definition = Definition.model_validate(version.definition)
        steps = [_step_stats(s, by_step.get(s.key, []), cal) for s in definition.steps]
    notes = session.exec(
        select(RunNote).where(RunNote.template_id == template.id).order_by(col(RunNote.created_at).desc())
    ).all()
    causes: dict[str, int] = defaultdict(int)
    for note in notes:
        causes[note.cause.value] += 1
    changed = sum(
        1 for s in steps if s.runs and (s.suggested_offset, s.suggested_duration) != (s.offset_days, s.planned_days)
    )
    return Retrospective(
        template_id=template.id,
        version=version.number if version else None,
        finished_runs=len(runs),
        steps=steps,
        notes=[NotePublic.model_validate(n, from_attributes=True) for n in notes],
        notes_by_cause=dict(causes),
        suggestions=changed,
    )


def suggest_draft(*, session: Session, template: WorkflowTemplate, cal: WorkCalendar, user_id: int):
    """A draft of the next version with the suggested offsets and durations, for a person to review and publish."""
    retro = retrospective(session=session, template=template, cal=cal)
    if not retro.finished_runs or retro.version is None:
        raise Conflict("There are no finished runs to learn from yet.")
    version = workflows.get_version(session=session, template=template)
    stats = {s.step: s for s in retro.steps if s.runs}
    definition = dict(version.definition)
    steps = []
    for step in definition["steps"]:
        found = stats.get(step["key"])
        if found:
            step = {**step, "offset_days": found.suggested_offset, "duration_days": found.suggested_duration}
        steps.append(step)
    note = f"Suggested by the retrospective of {retro.finished_runs} finished runs."
    data = WorkflowUpdate(definition=Definition.model_validate({**definition, "steps": steps}), note=note)
    return workflows.update_template(
        session=session, workspace_id=template.workspace_id, template_id=template.id, user_id=user_id, data=data
    )


def add_note(*, session: Session, run: WorkflowRun, author_id: int, data: NoteCreate) -> RunNote:
    """A note on a run for its template's retrospective."""
    if data.step_key is not None:
        keys = set(session.exec(select(Task.step_key).where(Task.run_id == run.id)).all())
        if data.step_key not in keys and data.cause != "missing_step":
            raise Invalid.field("step_key", "the run has no such step")
    note = RunNote(
        workspace_id=run.workspace_id,
        run_id=run.id,
        template_id=run.template_id,
        author_id=author_id,
        **data.model_dump(),
    )
    session.add(note)
    session.flush()
    return note
