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
from kit.testing import run_async


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


def limited_app(tokens: int, held: list, release) -> FastAPI:
    """An app whose sync endpoint waits for `release` while counting how many run at once."""
    import threading

    from kit.deps import ThreadLimit

    lock = threading.Lock()
    router = APIRouter(route_class=OneHopRoute)

    @router.get("/wait")
    def wait():
        with lock:
            held.append(1)
            peak = len(held)
        release.wait(timeout=30)
        with lock:
            held.pop()
        return {"peak": peak}

    @router.get("/quick")
    def quick():
        return {"ok": True}

    app = FastAPI()
    app.include_router(router)
    app.add_middleware(ThreadLimit, tokens=tokens)
    return app


async def until(condition, seconds: float = 20) -> None:
    deadline = anyio.current_time() + seconds
    while not condition():
        assert anyio.current_time() < deadline, "the condition did not come true in time"
        await anyio.sleep(0.01)


def test_a_service_runs_at_most_its_threads_at_once_and_another_service_is_not_held_up():
    import threading

    import httpx

    release = threading.Event()
    held: list = []
    full = limited_app(2, held, release)
    other = limited_app(2, [], threading.Event())

    async def scenario():
        transport = httpx.ASGITransport(app=full)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://t") as client,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://o") as second,
        ):
            async with anyio.create_task_group() as tg:
                answers = []

                async def call():
                    answers.append((await client.get("/wait")).json()["peak"])

                for _ in range(6):
                    tg.start_soon(call)
                await until(lambda: len(held) == 2)
                # the full service's pool is busy: another service still answers at once
                assert (await second.get("/quick")).json() == {"ok": True}
                assert len(held) == 2
                release.set()
            assert len(answers) == 6 and max(answers) == 2

    run_async(scenario())  # not anyio.run: a browser test before it in this worker keeps a loop marked running


def test_with_one_turn_a_request_waiting_on_another_service_lets_the_next_one_run():
    import threading

    import httpx

    from kit.deps import ThreadLimit
    from kit.turns import waiting

    answered = threading.Event()
    router = APIRouter(route_class=OneHopRoute)

    @router.get("/asks")
    def asks():  # stands for an endpoint asking another service (kit.internal lends the turn the same way)
        with waiting():
            return {"answered": answered.wait(timeout=20)}

    @router.get("/answers")
    def answers():
        answered.set()
        return {"ok": True}

    app = FastAPI()
    app.include_router(router)
    app.add_middleware(ThreadLimit, tokens=1)

    async def scenario():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            async with anyio.create_task_group() as tg:
                out = {}

                async def first():
                    out["asks"] = (await client.get("/asks")).json()

                tg.start_soon(first)
                await anyio.sleep(0.2)
                with anyio.fail_after(10):  # the one turn is lent: this runs although /asks has not finished
                    assert (await client.get("/answers")).json() == {"ok": True}
            assert out["asks"] == {"answered": True}

    run_async(scenario())
