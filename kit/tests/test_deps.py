"""The request session: one trip through the thread pool per request, one commit, before the response."""

from __future__ import annotations

import anyio.to_thread
import pytest
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from kit.db import make_engine
from kit.deps import OneHopRoute, SessionDep


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'deps.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE notes (text VARCHAR(20) NOT NULL)")
    yield engine
    engine.dispose()


@pytest.fixture
def hops(monkeypatch):
    """How many times requests crossed into the thread pool."""
    count = [0]
    real = anyio.to_thread.run_sync

    async def counting(*args, **kwargs):
        count[0] += 1
        return await real(*args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    return count


def make_client(engine) -> TestClient:
    router = APIRouter(route_class=OneHopRoute)

    @router.post("/notes/{text}")
    def add(text: str, session: SessionDep):
        session.execute(sa.text("INSERT INTO notes VALUES (:t)"), {"t": text})
        if text == "boom":
            raise ValueError("after the write")
        return {"stored": text}

    @router.post("/async/{text}")
    async def add_async(text: str, session: SessionDep):
        session.execute(sa.text("INSERT INTO notes VALUES (:t)"), {"t": text})
        return {"stored": text}

    app = FastAPI()
    app.state.engine = engine
    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


def notes(engine) -> list[str]:
    with Session(engine) as session:
        return [row[0] for row in session.execute(sa.text("SELECT text FROM notes ORDER BY text"))]


def test_a_sync_endpoint_and_its_commit_take_one_thread_hop(engine, hops):
    with make_client(engine) as client:
        before = hops[0]
        assert client.post("/notes/one").json() == {"stored": "one"}
        assert hops[0] - before == 1
    assert notes(engine) == ["one"]


def test_an_error_after_a_write_rolls_it_back(engine):
    with make_client(engine) as client:
        assert client.post("/notes/boom").status_code == 500
        assert client.post("/notes/two").status_code == 200
    assert notes(engine) == ["two"]


def test_an_async_endpoint_is_committed_by_the_dependency(engine):
    with make_client(engine) as client:
        assert client.post("/async/three").status_code == 200
    assert notes(engine) == ["three"]
