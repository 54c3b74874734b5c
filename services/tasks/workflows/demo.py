"""The workflows part of the demo: the blog-post template with six finished runs whose durations slip in
believable places (images, the outline approval), two running ones (one with an overdue step, one waiting for
approval), so the retrospective suggests moving "images" earlier."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from services.tasks.runs import service as runs
from services.tasks.runs.models import RunCreate, RunState, WorkflowRun
from services.tasks.tasks import flow
from services.tasks.tasks.models import TaskState
from services.tasks.workflows import service as workflows
from services.tasks.workflows.calendar import work_calendar
from services.tasks.workflows.models import WorkflowTemplate

# Working days late per finished run: images slip in five of six, the outline approval in three.
SLIPS = [
    {"images": 3, "approve-outline": 1},
    {"images": 2},
    {"images": 2, "approve-outline": 2, "send_back": 1},
    {"images": 0, "keywords": 1},
    {"images": 3, "approve-outline": 1},
    {"images": 2, "send_back": 1},
]


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 14, tzinfo=UTC)


def _roles(ids: list[int]) -> dict[str, int]:
    a, b, c, d = (ids * 4)[:4]
    return {"content": a, "seo": b, "writer": c, "lead": a if a != b else d, "designer": d, "social": b}


def _work(session: Session, run: WorkflowRun, cal, slips: dict, until: date, stop: str | None = None) -> None:
    """Do the run's open steps on their due dates plus the slips, up to `until` or the step `stop`."""
    sent_back = slips.get("send_back", 0)
    for _ in range(40):
        open_ = [t for t in flow.run_tasks(session, run.id) if t.state in (TaskState.open, TaskState.sent_back)]
        if not open_ or run.state != RunState.running:
            return
        for t in open_:
            if t.step_key == stop:
                return
            day = max(cal.add(t.due_on, slips.get(t.step_key, 0)), t.opened_at.date())
            if day > until:
                return
            kw = dict(now=_at(day), today=day, cal=cal)
            if t.approvals_required:
                if sent_back:
                    sent_back -= 1
                    flow.send_back(
                        session,
                        run,
                        t,
                        target=None,
                        comment="Tighten the outline: one idea per section.",
                        actor_id=run.roles["lead"],
                        **kw,
                    )
                    continue
                for user_id in flow.approvers(session, t):
                    flow.approve(session, run, t, comment=None, actor_id=user_id, **kw)
            else:
                flow.complete(session, run, t, actor_id=t.owner_id, **kw)


def _start(session, template, cal, ids, publish: date, started: date) -> WorkflowRun:
    data = RunCreate(template_id=template.id, anchors={"publish": publish}, roles=_roles(ids))
    return runs.start_run(
        session=session,
        workspace_id=template.workspace_id,
        user_id=ids[0],
        data=data,
        members=set(ids),
        cal=cal,
        now=_at(started),
    )


def seed(session: Session, *, workspace_id: int, people: dict[str, int], today: date | None = None) -> bool:
    """Add the demo's blog-post workflow and its runs unless the workspace has workflows already."""
    if (
        not people
        or session.exec(select(WorkflowTemplate.id).where(WorkflowTemplate.workspace_id == workspace_id)).first()
    ):
        return False
    today = today or date.today()
    ids = sorted(people.values())
    cal = work_calendar(session=session, workspace_id=workspace_id, timezone="Europe/Oslo")
    template = workflows.add_builtin(
        session=session, workspace_id=workspace_id, user_id=ids[0], key="blog-post", language="en"
    )
    for n, slips in enumerate(SLIPS):
        publish = cal.roll(today - timedelta(days=120 - 14 * n), earlier=True)
        run = _start(session, template, cal, ids, publish, publish - timedelta(days=33))
        _work(session, run, cal, slips, until=publish + timedelta(days=10))
    overdue = _start(
        session, template, cal, ids, cal.roll(today + timedelta(days=8), earlier=True), today - timedelta(days=26)
    )
    _work(session, overdue, cal, {}, until=today, stop="draft")
    waiting = _start(
        session, template, cal, ids, cal.roll(today + timedelta(days=20), earlier=True), today - timedelta(days=14)
    )
    _work(session, waiting, cal, {"outline": -1}, until=today, stop="approve-outline")
    return True
