"""Fixtures and factories of the workflow concepts' tests (workflows, runs, tasks, retrospectives)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, select

from services.tasks.events.models import Event
from services.tasks.runs import service as runs
from services.tasks.runs.models import RunCreate
from services.tasks.tasks import flow
from services.tasks.tasks.models import Task
from services.tasks.workflows import service as workflows
from services.tasks.workflows.workdays import WorkCalendar

NO = WorkCalendar(country="NO")
WS = 1
# Six roles bound to four people, as in the seed's story.
ANNA, BEN, CARA, DAN = 11, 12, 13, 14
MEMBERS = {ANNA, BEN, CARA, DAN}
BLOG_ROLES = {"content": ANNA, "seo": BEN, "writer": CARA, "lead": ANNA, "designer": DAN, "social": BEN}


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as s:
        yield s


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def blog_template(session: Session, workspace_id: int = WS, language: str = "en"):
    return workflows.add_builtin(
        session=session, workspace_id=workspace_id, user_id=ANNA, key="blog-post", language=language
    )


def start_blog(session: Session, publish: date, *, template=None, now: datetime | None = None, roles=None):
    template = template or blog_template(session)
    data = RunCreate(template_id=template.id, anchors={"publish": publish}, roles=roles or BLOG_ROLES)
    run = runs.start_run(
        session=session,
        workspace_id=template.workspace_id,
        user_id=ANNA,
        data=data,
        members=MEMBERS,
        cal=NO,
        now=now or at(publish.replace(day=1)),
    )
    return template, run


PUBLISH = date(2026, 6, 26)  # a Friday


def task(session: Session, run, key: str) -> Task:
    return next(t for t in flow.run_tasks(session, run.id) if t.step_key == key)


def done(session: Session, run, key: str, day: date, actor=ANNA) -> Task:
    t = task(session, run, key)
    return flow.complete(session, run, t, now=at(day), today=day, cal=NO, actor_id=actor)


def approve(session, run, key, who, day=date(2026, 6, 11)):
    t = task(session, run, key)
    return flow.approve(session, run, t, comment=None, actor_id=who, now=at(day), today=day, cal=NO)


def events(session, kind=None, recipient=None):
    rows = session.exec(select(Event).order_by(Event.id)).all()
    return [e for e in rows if (kind is None or e.kind == kind) and (recipient is None or e.recipient_id == recipient)]


def walk_to_approval(session, run):
    for key, day in [("idea", date(2026, 5, 27)), ("keywords", date(2026, 6, 1)), ("outline", date(2026, 6, 5))]:
        done(session, run, key, day)
