"""Retrospective statistics on constructed runs, notes by cause, and the suggested next version."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from kit.errors import Conflict
from services.tasks.retrospectives import service as retros
from services.tasks.retrospectives.models import NoteCreate
from services.tasks.runs.models import RunState, WorkflowRun
from services.tasks.tasks import flow
from services.tasks.tests.workflow_support import ANNA, BEN, NO, at, blog_template, start_blog
from services.tasks.workflows import service as workflows


def finish_run(session, template, publish: date, late: dict[str, int]):
    """Run the blog post to its end: each step done on its due date plus its lateness in working days."""
    _, run = start_blog(session, publish, template=template, now=at(publish - timedelta(days=40)))
    while run.state == RunState.running:
        for t in [t for t in flow.run_tasks(session, run.id) if t.state == flow.TaskState.open]:
            day = NO.add(t.due_on, late.get(t.step_key, 0))
            kw = dict(now=at(day), today=day, cal=NO)
            if t.approvals_required:
                flow.approve(session, run, t, comment=None, actor_id=BEN, **kw)
                flow.approve(session, run, t, comment=None, actor_id=ANNA, **kw)
            else:
                flow.complete(session, run, t, actor_id=ANNA, **kw)
    return run


def test_statistics_per_step_from_finished_runs(session):
    template = blog_template(session)
    fridays = [date(2026, 3, 6) + timedelta(weeks=2 * i) for i in range(5)]
    for n, publish in enumerate(fridays):
        finish_run(session, template, publish, {"images": 2 if n < 4 else 0, "approve-outline": 1 if n < 2 else 0})
    start_blog(session, date(2026, 9, 4), template=template)  # running: not counted
    retro = retros.retrospective(session=session, template=template, cal=NO)
    assert retro.finished_runs == 5
    images = next(s for s in retro.steps if s.step == "images")
    assert images.runs == 5 and images.late_runs == 4
    assert images.late_median == 2 and images.late_p80 == 2
    assert images.suggested_offset == -8  # two working days ≈ three calendar days earlier than -5
    approval = next(s for s in retro.steps if s.step == "approve-outline")
    assert approval.late_runs == 2 and approval.late_p80 == 1
    idea = next(s for s in retro.steps if s.step == "idea")
    assert idea.late_runs == 0 and idea.suggested_offset == -30


def test_notes_show_up_by_cause_and_the_draft_carries_the_suggestions(session):
    template = blog_template(session)
    run = finish_run(session, template, date(2026, 3, 6), {"images": 3})
    retros.add_note(
        session=session,
        run=run,
        author_id=ANNA,
        data=NoteCreate(cause="estimate_off", step_key="images", body="Infographics take a week"),
    )
    retros.add_note(
        session=session,
        run=run,
        author_id=ANNA,
        data=NoteCreate(cause="missing_step", body="Nobody checked the legal text"),
    )
    retro = retros.retrospective(session=session, template=template, cal=NO)
    assert retro.notes_by_cause == {"estimate_off": 1, "missing_step": 1} and retro.suggestions >= 1
    retros.suggest_draft(session=session, template=template, cal=NO, user_id=ANNA)
    assert template.published_version == 1
    diff = workflows.diff(session=session, workspace_id=1, template_id=template.id, old=1, new=2)
    assert {"step": "images", "field": "offset_days", "old": -5, "new": -10} in diff.changed


def test_no_draft_without_finished_runs(session):
    template = blog_template(session)
    with pytest.raises(Conflict):
        retros.suggest_draft(session=session, template=template, cal=NO, user_id=ANNA)


def test_the_demo_suggests_moving_images_earlier(session):
    from services.tasks.workflows import demo

    assert demo.seed(session, workspace_id=1, people={"a": 1, "b": 2, "c": 3, "d": 4}, today=date(2026, 12, 1))
    assert not demo.seed(session, workspace_id=1, people={"a": 1}, today=date(2026, 12, 1))
    template = session.get(demo.WorkflowTemplate, 1)
    retro = retros.retrospective(session=session, template=template, cal=NO)
    assert retro.finished_runs == 6
    images = next(s for s in retro.steps if s.step == "images")
    assert images.late_runs == 5 and images.suggested_offset < images.offset_days
    outline = next(s for s in retro.steps if s.step == "approve-outline")
    assert outline.late_runs >= 2  # the outline approval slips too, and is sent back twice
    assert sum(s.send_backs for s in retro.steps) == 2
    running = session.exec(select(WorkflowRun).where(WorkflowRun.state == RunState.running)).all()
    assert len(running) == 2
    today = date(2026, 12, 1)
    open_steps = [
        [t for t in flow.run_tasks(session, r.id) if t.state in (flow.TaskState.open, flow.TaskState.sent_back)]
        for r in running
    ]
    overdue = [steps for steps in open_steps if any(t.due_on < today and not t.approvals_required for t in steps)]
    waiting = [steps for steps in open_steps if [t.step_key for t in steps] == ["approve-outline"]]
    assert len(overdue) == 1 and [t.step_key for t in overdue[0]] == ["draft"]
    assert len(waiting) == 1 and waiting[0][0].due_on >= today  # waiting for approval, not late
