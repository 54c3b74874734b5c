"""Engines and sessions: SQLite by default, PostgreSQL in production."""

from __future__ import annotations

import enum
import threading
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from kit.fields import utcnow
from kit.turns import share, waiting


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
        _one_writer(engine)
        return engine
    engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
    _lend_turn_on_round_trips(engine)
    return engine


def _lend_turn_on_round_trips(engine: Engine) -> None:
    """A request thread waiting for PostgreSQL's answer lends its turn (kit.turns): the wait is the server's work."""
    ready = _connected_once(engine)
    dialect = engine.dialect
    for name in ("do_execute", "do_execute_no_params", "do_executemany", "do_commit", "do_rollback", "do_ping"):
        setattr(dialect, name, _lending(getattr(dialect, name), ready))


def _lending(method, ready: list[bool]):
    def call(*args, **kwargs):
        if not ready[0]:
            return method(*args, **kwargs)
        with waiting():
            return method(*args, **kwargs)

    return call


def _connected_once(engine: Engine) -> list[bool]:
    """[True] once the engine's first connection is made. Until then SQLAlchemy holds its first-connect lock while
    it asks the server about itself: a thread lending its turn there would leave the next one waiting on that
    lock with the turn, for ever (a service restarted under load stopped answering so)."""
    ready = [False]

    @event.listens_for(engine.pool, "checkout")
    def checked_out(*_args) -> None:
        ready[0] = True

    return ready


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


# SQLite lets one connection write at a time; the others wait in its busy handler, which polls with sleeps of up
# to 100 ms, so a waiting writer can be overtaken again and again (under 50 users a goal's PATCH waited seconds).
# Within a process, writers of one database file take turns at a lock instead, handed on as soon as the writer
# before commits; SQLite's own lock still orders writers of other processes (the CLI, a separate worker).
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")  # the statements before which sqlite3 begins a transaction
WRITE_WAIT = 30.0  # seconds, as the busy timeout


class _Writer:
    """The turn to write one SQLite file in this process: a lock and the DBAPI connection holding it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.owner: Any = None

    def take(self, dbapi_conn: Any, statement: str) -> None:
        if self.owner is dbapi_conn or statement.lstrip()[:7].upper().split(" ", 1)[0] not in WRITES:
            return
        if not self.lock.acquire(blocking=False):
            with waiting():  # the writer before may need a turn to finish
                if not self.lock.acquire(timeout=WRITE_WAIT):
                    raise sa.exc.OperationalError(statement, None, Exception("database is locked (another writer)"))
        self.owner = dbapi_conn

    def hand_on(self, conn: Any) -> None:
        dbapi_conn = getattr(conn, "dbapi_connection", conn)  # the dialect is handed the pool's proxy
        if self.owner is dbapi_conn and dbapi_conn is not None:
            self.owner = None
            self.lock.release()


_writers: dict[str, _Writer] = {}
_writers_guard = threading.Lock()


def _one_writer(engine: Engine) -> None:
    """One write transaction at a time per database file in this process (see WRITES): the turn is taken before
    the first write statement and handed on once the commit (or rollback) is done."""
    if engine.url.database in (None, "", ":memory:"):
        return
    with _writers_guard:
        writer = _writers.setdefault(str(engine.url.database), _Writer())
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(dbapi_conn) -> None:
        try:
            commit(dbapi_conn)
        finally:
            writer.hand_on(dbapi_conn)

    def do_rollback(dbapi_conn) -> None:  # also how the pool resets a connection given back mid-transaction
        try:
            rollback(dbapi_conn)
        finally:
            writer.hand_on(dbapi_conn)

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback
    ready = _connected_once(engine)

    @event.listens_for(engine, "before_cursor_execute")
    def before_execute(conn, _cursor, statement, _params, _context, _executemany) -> None:
        dbapi_conn = conn.connection.dbapi_connection
        if ready[0] and writer.owner is not dbapi_conn:
            share()  # between statements, never while holding the write lock (nor SQLAlchemy's first-connect lock)
        writer.take(dbapi_conn, statement)

    @event.listens_for(engine.pool, "close")
    @event.listens_for(engine.pool, "invalidate")
    def gone(dbapi_conn, *_args) -> None:
        writer.hand_on(dbapi_conn)


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
