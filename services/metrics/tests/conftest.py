"""Fixtures of every metrics test: a fresh database with all of the service's tables, a session, a client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

import services.metrics.models  # noqa: F401  (registers every concept's tables)
from kit.testing import fresh_engine
from services.metrics.db import MetricsModel
from services.metrics.tests.factories import service_app


@pytest.fixture
def engine(tmp_path):
    with fresh_engine(tmp_path, MetricsModel.metadata, "metrics") as engine:
        yield engine


@pytest.fixture
def session(engine):
    with Session(engine) as s:
        yield s


@pytest.fixture
def client(engine):
    with TestClient(service_app(engine)) as c:
        yield c
