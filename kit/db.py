"""Engines and sessions: SQLite by default, PostgreSQL in production."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from kit.fields import utcnow


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine tuned for the backend: WAL and foreign keys on SQLite, pre-ping on PostgreSQL."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        # A pool as large as the thread pool's share, so busy moments reuse connections (and their PRAGMAs).
        engine = create_engine(
            url, echo=echo, pool_size=20, max_overflow=20, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def ping(engine: Engine) -> None:
    """Raise if the database cannot answer a trivial query."""
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")


def enum_type(enum_cls: type[enum.Enum]) -> sa.Enum:
    """Store an enum as a short string (no native PostgreSQL enum: adding a value needs no migration dance)."""
    return sa.Enum(enum_cls, native_enum=False, create_constraint=False, length=32, validate_strings=True)


def in_session(engine: Engine, fn, /, *args, **kwargs):
    """Run fn(session, *args) in one transaction: commit on return, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            result = fn(session, *args, **kwargs)
            session.commit()
            return result
        except BaseException:
            session.rollback()
            raise


def save(session: Session, record: Any, changes: Mapping[str, Any] | None = None) -> Any:
    """Apply changes to a record, stamp its updated_at and flush: how a service's write ends."""
    if changes:
        record.sqlmodel_update(changes)
    record.updated_at = utcnow()
    session.add(record)
    session.flush()
    return record
