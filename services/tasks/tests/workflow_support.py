"""Fixtures and factories of the workflow concepts' tests (workflows, runs, tasks, retrospectives)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from kit.service_app import create_service_app
from kit.testing import TEST_KEY, fresh_engine
from services.tasks.db import TasksModel
from services.tasks.routes import WORKFLOW_ROUTERS, router
from services.tasks.runs import service as runs
from services.tasks.runs.models import RunCreate
from services.tasks.workdays import WorkCalendar
from services.tasks.workflows import service as workflows

NO = WorkCalendar(country="NO")
WS = 1
# Six roles bound to four people, as in the seed's story.
ANNA, BEN, CARA, DAN = 11, 12, 13, 14
MEMBERS = {ANNA, BEN, CARA, DAN}
BLOG_ROLES = {"content": ANNA, "seo": BEN, "writer": CARA, "lead": ANNA, "designer": DAN, "social": BEN}


@pytest.fixture
def engine(tmp_path):
    with fresh_engine(tmp_path, TasksModel.metadata, "tasks") as engine:
        yield engine


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client(engine):
    app = create_service_app(
        name="tasks",
        title="t",
        description="t",
        engine=engine,
        redis_url="redis://127.0.0.1:6379/15",
        signing_key=TEST_KEY,
        routers=[router, *WORKFLOW_ROUTERS],
    )
    with TestClient(app) as c:
        yield c


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
