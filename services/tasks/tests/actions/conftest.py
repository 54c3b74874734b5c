"""Fixtures of the action list's tests: a fresh tasks database, the owners of foreign ids as plain records."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from kit.service_app import create_service_app
from kit.testing import TEST_KEY, fresh_engine
from services.tasks.actions.routes import owners as owners_dependency
from services.tasks.actions.routes import periods_router
from services.tasks.actions.routes import router as actions_router
from services.tasks.db import TasksModel
from services.tasks.periods.routes import router as periods


class Records:
    """The goals and metrics records of one workspace, as their owners would answer for them (a boundary
    stand-in: the live API tests ask the real services)."""

    def __init__(self):
        self.kpis: dict[int, dict[str, Any]] = {5: {"id": 5, "name": "Orders", "expected_frequency": "month"}}
        self.goals: dict[int, dict[str, Any]] = {3: {"id": 3, "title": "Grow sales"}}
        self.surfaces: dict[int, dict[str, Any]] = {
            2: {"id": 2, "name": "Web shop", "cadence": "quarterly", "period_start": "2026-01-01"}
        }
        self.findings: dict[int, dict[str, Any]] = {
            9: {"id": 9, "kpi_id": 5, "surface_id": 2, "change_kind": "technology", "text": "Checkout is slow"}
        }
        self.feedback: set[int] = {21, 22}  # feedback items of the workspace
        self.answers: list[dict[str, Any]] = []
        self.asked: list[str] = []

    def kpi(self, kpi_id):
        return self.kpis.get(kpi_id)

    def goal(self, goal_id):
        return self.goals.get(goal_id)

    def surface(self, surface_id):
        return self.surfaces.get(surface_id)

    def feedback_items(self, item_ids):
        return set(item_ids) & set(self.feedback)

    def finding(self, finding_id):
        return self.findings.get(finding_id)

    def effects(self, probes):
        self.asked.extend(probes)
        refs = {p.split(":")[0] for p in probes}
        return [a for a in self.answers if a["ref"] in refs]


@pytest.fixture
def engine(tmp_path):
    with fresh_engine(tmp_path, TasksModel.metadata, "tasks") as engine:
        yield engine


@pytest.fixture
def session(engine):
    with Session(engine) as s:
        yield s


@pytest.fixture
def records():
    return Records()


@pytest.fixture
def client(engine, records):
    app = create_service_app(
        name="tasks",
        title="Effekt tasks",
        description="test",
        engine=engine,
        redis_url="redis://127.0.0.1:6379/15",
        signing_key=TEST_KEY,
        routers=[periods, periods_router, actions_router],
    )
    app.dependency_overrides[owners_dependency] = lambda: records
    with TestClient(app) as c:
        yield c


TODAY = date(2026, 12, 1)
