"""Helpers for every service's own tests: a database per test, a signed identity, problem checks.

Imported only by tests (never by running code)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine

from kit.db import make_engine
from kit.identity import IDENTITY_HEADER, Principal, sign_identity
from kit.roles import Role

TEST_KEY = "test-key"  # short on purpose; production keys are 48 random bytes


@contextmanager
def fresh_engine(tmp_path: Path, metadata: MetaData, name: str) -> Iterator[Engine]:
    """A fresh schema of one service: SQLite in tmp_path, or EFFEKT_TEST_DATABASE_URL when set."""
    engine = make_engine(os.environ.get("EFFEKT_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / (name + '.db')}")
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


def problem(resp, status: int, field: str | None = None) -> dict:
    """Assert a problem+json answer of `status` (naming `field`, if given) and return its body."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == status
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body
