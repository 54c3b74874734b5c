"""Fixtures of the tasks service tests: a fresh database and a client of the whole app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kit.service_app import create_service_app
from kit.testing import TEST_KEY, fresh_engine
from services.tasks.models import metadata
from services.tasks.routes import routers


@pytest.fixture
def engine(tmp_path):
    with fresh_engine(tmp_path, metadata, "tasks") as engine:
        yield engine


@pytest.fixture
def client(engine):
    app = create_service_app(
        name="tasks",
        title="Effekt tasks",
        description="test",
        engine=engine,
        redis_url="redis://127.0.0.1:6379/15",
        signing_key=TEST_KEY,
        routers=routers,
    )
    with TestClient(app) as c:
        yield c
