"""Fixtures of the goals service tests: a fresh database, the stub metrics, a client of the whole app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kit.testing import fresh_engine
from services.goals.models import metadata
from services.goals.tests.support import Api, StubInternal, make_app


@pytest.fixture
def engine(tmp_path):
    with fresh_engine(tmp_path, metadata, "goals") as engine:
        yield engine


@pytest.fixture
def metrics() -> StubInternal:
    return StubInternal()


@pytest.fixture
def client(engine, metrics):
    # A bug must show as its 500 problem, not as an exception raised into the test.
    with TestClient(make_app(engine, metrics), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def api(client) -> Api:
    return Api(client)
