"""Helpers for every service's own tests: a database per test, a signed identity, problem checks.

Imported only by tests (never by running code)."""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
from collections.abc import Coroutine, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

from kit.db import make_engine
from kit.identity import IDENTITY_HEADER, Principal, sign_identity
from kit.roles import Role

TEST_KEY = "test-key"  # short on purpose; production keys are 48 random bytes


_worker_database: dict[str, str] = {}


def test_database_url() -> str | None:
    """EFFEKT_TEST_DATABASE_URL, or under pytest-xdist a database of this worker's own on that server (made once,
    dropped at exit), so parallel workers never drop each other's tables."""
    server = os.environ.get("EFFEKT_TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not server or not worker:
        return server
    if server not in _worker_database:
        import psycopg

        name = f"effekt_unit_{worker}_{os.getpid()}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        atexit.register(_drop_database, server, name)
        parts = urlsplit(server)
        _worker_database[server] = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))
    return _worker_database[server]


def _drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_engine(tmp_path: Path, metadata: MetaData, name: str) -> Iterator[Engine]:
    """A fresh schema of one service: SQLite in tmp_path, or the PostgreSQL test database when one is set."""
    engine = make_engine(test_database_url() or f"sqlite:///{tmp_path / (name + '.db')}")
    metadata.drop_all(engine)  # a run that died may have left tables behind on a shared server
    metadata.create_all(engine)  # create_all only in tests; running code migrates
    try:
        yield engine
    finally:
        metadata.drop_all(engine)
        engine.dispose()


def auth(
    role: Role = Role.editor, workspace_id: int = 1, *, user_id: int = 1, now: float | None = None, key: str = TEST_KEY
) -> dict[str, str]:
    """Headers carrying an identity signed as the gateway would."""
    principal = Principal(user_id=user_id, workspace_id=workspace_id, role=role)
    return {IDENTITY_HEADER: sign_identity(key, principal, now=now)}


class Signed(Mapping[str, str]):
    """Headers of an identity signed afresh on every read, for module-level constants reused all test long: a
    signature made once expires after 60 s, which a loaded machine reaches within one test."""

    def __init__(self, role: Role = Role.editor, workspace_id: int = 1, *, user_id: int = 1):
        self.role, self.workspace_id, self.user_id = role, workspace_id, user_id

    def _headers(self) -> dict[str, str]:
        return auth(self.role, self.workspace_id, user_id=self.user_id)

    def __getitem__(self, name: str) -> str:
        return self._headers()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._headers())

    def __len__(self) -> int:
        return 1


def run_async(coro: Coroutine[Any, Any, Any]) -> Any:
    """asyncio.run(coro) in a thread of its own: the session's sync Playwright keeps its event loop marked as
    running in the main thread, where asyncio.run (and pytest-asyncio) then refuse to start."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as exc:  # handed back to the test's thread
            result["error"] = exc

    thread = threading.Thread(target=target, name="run-async")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


def problem(resp, status: int, field: str | None = None) -> dict:
    """Assert a problem+json answer of `status` (naming `field`, if given) and return its body."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == status
    assert_problem_shape(body)
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body


def assert_problem_shape(body: Any) -> None:
    """The body matches the one Problem schema of the API contract (kit.contract.PROBLEM_SCHEMA), so a client
    generated from the document reads every error the tests provoke."""
    from kit.contract import FIELD_ERROR_SCHEMA, PROBLEM_SCHEMA

    _matches(body, PROBLEM_SCHEMA, "problem")
    for i, error in enumerate(body.get("errors", [])):
        _matches(error, FIELD_ERROR_SCHEMA, f"errors[{i}]")


JSON_TYPES = {"string": str, "integer": int, "array": list, "object": dict}


def _matches(value: Any, schema: dict[str, Any], where: str) -> None:
    assert isinstance(value, dict), f"{where} is not an object: {value!r}"
    missing = [name for name in schema["required"] if name not in value]
    assert not missing, f"{where} lacks {missing}: {value}"
    for name, prop in schema["properties"].items():
        if name in value:
            kind = JSON_TYPES[prop["type"]]
            ok = isinstance(value[name], kind) and not isinstance(value[name], bool)
            assert ok, f"{where}.{name} is not a {prop['type']}: {value[name]!r}"
            if "minimum" in prop:
                assert prop["minimum"] <= value[name] <= prop["maximum"], f"{where}.{name} out of range"


class KnownReferences:
    """Stands in for kit.internal.InternalClient in a service's tests: every id asked about exists (200),
    except those listed in `missing` as (service, path), e.g. ("gateway", "/members/99")."""

    def __init__(self):
        self.missing: set[tuple[str, str]] = set()
        self.calls: list[tuple[str, str]] = []

    def get(self, request, service: str, path: str, params: Any = None) -> tuple[int, Any]:
        self.calls.append((service, path))
        return (404, None) if (service, path) in self.missing else (200, {})

    def close(self) -> None:
        pass


Write = tuple[str, str] | tuple[str, str, Any]


def check_contract(
    client,
    record: str,
    *,
    writes: Sequence[Write],
    creates: Sequence[Write] = (),
    owner: Mapping[str, str],
    viewer: Mapping[str, str] | None,
    foreign: Mapping[str, str],
    anonymous: Mapping[str, str] | None = None,
    missing: str | None = None,
) -> None:
    """The scoping contract of one resource, for service tests (signed identities) and live ones (tokens) alike.

    `record` is the URL of a record of the owner's workspace, `writes` the (method, path[, json]) calls that
    change it and `creates` those that make new records. Without an identity every call is a 401; a viewer of the
    workspace reads the record but gets a 403 on every write and create; another workspace gets a 404 on the read
    and on every write, looking exactly like `missing` (an id that does not exist) when given; and afterwards the
    owner reads the record unchanged."""
    before = client.get(record, headers=dict(owner))
    assert before.status_code == 200, before.text
    calls = [("GET", record, None), *map(_call, writes)]
    made = [_call(c) for c in creates]
    for method, path, body in calls + made:
        problem(_send(client, method, path, body, anonymous or {}), 401)
    for method, path, body in calls:
        problem(_send(client, method, path, body, foreign), 404)
    if missing is not None:
        theirs = problem(_send(client, "GET", record, None, foreign), 404)
        assert theirs["title"] == problem(_send(client, "GET", missing, None, owner), 404)["title"]
    if viewer is not None:
        assert client.get(record, headers=dict(viewer)).status_code == 200
        for method, path, body in calls[1:] + made:
            problem(_send(client, method, path, body, viewer), 403)
    after = client.get(record, headers=dict(owner))
    assert after.json() == before.json(), "a refused call changed the record"


def _call(write: Write) -> tuple[str, str, Any]:
    return (write[0], write[1], write[2] if len(write) > 2 else None)


def _send(client, method: str, path: str, body: Any, headers: Mapping[str, str]):
    kwargs: dict[str, Any] = {"headers": dict(headers)}
    if body is not None:
        kwargs["json"] = body
    return client.request(method, path, **kwargs)
