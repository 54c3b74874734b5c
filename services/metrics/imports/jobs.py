"""Running an import: check every line and store the good ones, with progress.

All or nothing (the default) on PostgreSQL: one pass, the lines checked while the good ones are stored in one
transaction that commits only when every line is good (pipeline.py). On SQLite, and when resuming a run of the
earlier two-pass way: every line is checked first, then the rows are stored in key order, in committed chunks.
With store_good: a thread stores each chunk while the next one is checked. Each committed chunk and the progress
it makes commit together, so a run cut off mid-way resumes after its last chunk; values are upserted on their key
(KPI, period, start, source), so running again never duplicates anything. On PostgreSQL a chunk none of whose
keys is stored yet is COPied straight into observations; others go through a temporary table and INSERT ... ON
CONFLICT."""

from __future__ import annotations

import asyncio
import csv
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import psycopg
from arq.worker import func
from sqlalchemy import delete, insert, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from kit.fields import utcnow
from services.metrics.db import create_engine_from_settings
from services.metrics.imports import store
from services.metrics.imports.check import KpiCatalogue, LineChecker, blank
from services.metrics.imports.models import (
    ImportFile,
    ImportMapping,
    ImportProblem,
    ImportStatus,
    ImportTarget,
    ObservationImport,
)
from services.metrics.imports.parse import cells, unreadable
from services.metrics.imports.store import quick_switches
from services.metrics.outbox import service as outbox

log = logging.getLogger("effekt.metrics.imports")
PROGRESS_EVERY = 50_000  # lines checked between progress writes
PROBLEM_BATCH = 1_000
CHUNK = {"postgresql": 50_000, "sqlite": 5_000}  # rows stored (and committed) together
TABLE = ObservationImport.__table__


class Superseded(Exception):
    """A newer run of the same import started: this one stops."""


def _progress(conn: Connection, import_id: int, attempt: int, **values: Any) -> None:
    """Write progress, only if this run is still the current one."""
    result = conn.execute(
        update(TABLE).where(TABLE.c.id == import_id, TABLE.c.attempt == attempt).values(updated_at=utcnow(), **values)
    )
    if result.rowcount != 1:
        raise Superseded()


def _file(session: Session, import_id: int) -> bytes:
    """The uploaded bytes. PostgreSQL sends them in its binary format: as text (hex) a 32 MB file took 0.16-0.24 s
    to arrive and decode, in binary 0.04-0.06 s."""
    if session.get_bind().dialect.name != "postgresql":
        return session.exec(select(ImportFile.data).where(ImportFile.import_id == import_id)).one()
    with session.connection().connection.driver_connection.cursor(binary=True) as cursor:
        cursor.execute("SELECT data FROM observation_import_files WHERE import_id = %s", [import_id])
        return cursor.fetchone()[0]


def _begin(engine: Engine, import_id: int, attempt: int) -> tuple[ObservationImport, bytes] | None:
    """The record and its file, marked as being checked; None if this run is not (or no longer) the one."""
    with Session(engine, expire_on_commit=False) as session:
        record = session.get(ObservationImport, import_id)
        if (
            record is None
            or record.attempt != attempt
            or record.status not in (ImportStatus.queued, ImportStatus.checking, ImportStatus.storing)
        ):
            return None
        data = _file(session, import_id)
        resume_from = record.rows_done  # start_run zeroes it unless an interrupted run is resumed
        session.execute(delete(ImportProblem).where(col(ImportProblem.import_id) == import_id))
        _progress(
            session.connection(),
            import_id,
            attempt,
            status=ImportStatus.checking,
            rows_checked=0,
            bad_lines=0,
            rows_done=resume_from,
        )
        session.commit()
        record.rows_done = resume_from
        return record, data


def _check_all(
    engine: Engine,
    record: ObservationImport,
    data: bytes,
    checker: LineChecker,
    good: dict[int, str],
    full: Callable[[int], None] | None = None,
    size: int = 0,
) -> tuple[int, int]:
    """Check every line, writing each bad one to the report: (lines, bad lines).

    Good rows go to `good` (key → COPY text); with `full`, that is called (with the bad lines so far) whenever
    it holds `size` rows, and empties it (what it took is remembered, so a later line with the same key is still
    refused)."""
    total = bad_lines = 0
    problems: list[dict[str, Any]] = []
    fast, careful, taken = checker.fast, checker.careful, set()
    lines, line_number = cells(record.file_format, data)

    def flush() -> None:
        with engine.begin() as conn:
            if problems:
                conn.execute(insert(ImportProblem.__table__), problems)
            _progress(conn, record.id, record.attempt, rows_checked=total, bad_lines=bad_lines)
        problems.clear()

    try:
        next(lines, None)  # the header
        for row in lines:  # the loop runs once a line: what it does is measured in microseconds
            if not row or (row[0] == "" and blank(row)):
                continue
            total += 1
            try:
                number, text = fast(row)
            except Exception:  # anything unusual: the careful path names what is wrong, or accepts it
                result = careful(row)
                number, text = (None, result) if type(result) is list else result
            if number is None or (taken and number in taken) or good.setdefault(number, text) is not text:
                bad_lines += 1
                bad = text if number is None else checker.repeated()
                problems.extend(
                    {
                        "import_id": record.id,
                        "line": line_number(),
                        "column": column[:255] or None,
                        "reason": reason[:500],
                    }
                    for column, reason in bad
                )
                if len(problems) >= PROBLEM_BATCH:
                    flush()
            elif full is not None and len(good) >= size:
                taken.update(good)
                full(bad_lines)
            if total % PROGRESS_EVERY == 0:
                flush()
    except csv.Error as exc:
        raise unreadable(record.file_format, exc) from None
    flush()
    return total, bad_lines


class _Store:
    """Stores chunks of rows, each committed with the progress it makes; skips the rows an interrupted run of the
    same import stored already. With `background`, a thread stores while the caller checks the next lines
    (psycopg lets go of the GIL while PostgreSQL works, and PostgreSQL is another process)."""

    def __init__(self, engine: Engine, record: ObservationImport, background: bool = False):
        self.engine, self.record = engine, record
        self.store = store.postgresql if engine.dialect.name == "postgresql" else store.sqlite
        self.skip = record.rows_done
        self.done, self.created, self.replaced = record.rows_done, record.created, record.replaced
        self.queue: queue.Queue | None = queue.Queue(maxsize=2) if background else None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, daemon=True) if background else None
        if self.thread:
            self.thread.start()

    def put(self, keys: list[int], lines: list[str]) -> None:
        """Store these rows (sorted by key), or hand them to the thread."""
        if self.skip:
            dropped = min(self.skip, len(keys))
            keys, lines, self.skip = keys[dropped:], lines[dropped:], self.skip - dropped
        if not keys:
            return
        if self.queue is None:
            return self._chunk(keys, lines)
        if self.error is not None:
            raise self.error
        self.queue.put((keys, lines))

    def close(self, failed: bool = False) -> None:
        """Wait for the thread's last chunk; raise what it raised (unless the caller failed itself)."""
        if self.thread:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None and not failed:
            raise self.error

    def _work(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._chunk(*item)
                except BaseException as exc:  # handed to the checking thread, which stops
                    self.error = exc

    def _chunk(self, keys: list[int], lines: list[str]) -> None:
        with self.engine.begin() as conn:
            made, stored = self.store(conn, self.record.workspace_id, keys, lines, utcnow())
            done, created, replaced = self.done + stored, self.created + made, self.replaced + stored - made
            _progress(conn, self.record.id, self.record.attempt, rows_done=done, created=created, replaced=replaced)
        self.done, self.created, self.replaced = done, created, replaced


def _sorted_chunks(good: dict[int, str], size: int) -> Iterator[tuple[list[int], list[str]]]:
    """The rows in key order, in chunks (PostgreSQL's index takes rows in its own order fastest)."""
    keys = sorted(good)
    for start in range(0, len(keys), size):
        part = keys[start : start + size]
        yield part, [good[k] for k in part]


def _check_then_store(engine: Engine, record: ObservationImport, data: bytes, checker: LineChecker, size: int) -> str:
    """All or nothing: every line is checked before anything is stored."""
    good: dict[int, str] = {}
    total, bad = _check_all(engine, record, data, checker, good)
    with engine.begin() as conn:
        _progress(conn, record.id, record.attempt, rows_total=total)
    if bad:
        return _end(engine, record, ImportStatus.failed_validation)
    with engine.begin() as conn:
        _progress(conn, record.id, record.attempt, status=ImportStatus.storing)
    store = _Store(engine, record, background=engine.dialect.name == "postgresql")  # the next chunk is made meanwhile
    try:
        for keys, lines in _sorted_chunks(good, size):
            store.put(keys, lines)
    except BaseException:
        store.close(failed=True)
        raise
    store.close()
    return _end(engine, record, ImportStatus.done)


def _check_and_store(engine: Engine, record: ObservationImport, data: bytes, checker: LineChecker, size: int) -> str:
    """Good lines are stored as they come: chunk N is stored while chunk N+1 is checked."""
    with engine.begin() as conn:
        _progress(conn, record.id, record.attempt, status=ImportStatus.storing)
    good: dict[int, str] = {}
    background = engine.dialect.name == "postgresql"  # SQLite has one writer
    store = _Store(engine, record, background=background)

    def flush(bad_lines: int = 0) -> None:
        for keys, lines in _sorted_chunks(good, size):
            store.put(keys, lines)
        good.clear()

    try:
        with quick_switches(background):
            total, _ = _check_all(engine, record, data, checker, good, flush, size)
            flush()
    except BaseException:
        store.close(failed=True)
        raise
    store.close()
    with engine.begin() as conn:
        _progress(conn, record.id, record.attempt, rows_total=total)
    return _end(engine, record, ImportStatus.done)


def _finish(engine: Engine, import_id: int, attempt: int, status: ImportStatus, error: str | None = None) -> None:
    with engine.begin() as conn:
        _progress(conn, import_id, attempt, status=status, error=error, finished_at=utcnow())
        outbox.tell_import_starter(conn, TABLE, import_id, attempt, status.value)


def _end(engine: Engine, record: ObservationImport, status: ImportStatus) -> str:
    _finish(engine, record.id, record.attempt, status)
    return status.value


def run_import_sync(engine: Engine, import_id: int, attempt: int) -> str:
    """Run one import to its end; the status it ended in (or why it did not run)."""
    begun = _begin(engine, import_id, attempt)
    if begun is None:
        return "skipped"
    record, data = begun
    mapping = ImportMapping.model_validate(record.mapping)
    try:
        if record.target == ImportTarget.feedback_items:
            from services.metrics.imports.feedback import run_feedback_import  # it builds on this module

            return run_feedback_import(engine, record, data, mapping)
        with Session(engine) as session:
            kpis = KpiCatalogue.load(session, record.workspace_id)
        size = CHUNK.get(engine.dialect.name, 5_000)
        if mapping.store_good:
            run = _check_and_store
        elif engine.dialect.name == "postgresql" and not record.rows_done:
            from services.metrics.imports.pipeline import check_while_storing  # it builds on this module

            run = check_while_storing
        else:  # SQLite, or resuming after the chunks an earlier two-pass run committed
            run = _check_then_store
        return run(engine, record, data, LineChecker(mapping, record.columns, kpis), size)
    except Superseded:
        return "superseded"
    except ValueError as exc:  # the file itself cannot be read
        _finish(engine, import_id, attempt, ImportStatus.failed, str(exc)[:2000])
        return ImportStatus.failed.value
    except (SQLAlchemyError, psycopg.Error) as exc:  # psycopg's own when COPY is refused
        log.exception("import %s failed in the database", import_id)
        reason = type(getattr(exc, "orig", None) or exc).__name__
        why = f"The database refused the values ({reason}); run the import again."
        _finish(engine, import_id, attempt, ImportStatus.failed, why)
        return ImportStatus.failed.value


@lru_cache
def _engine() -> Engine:
    return create_engine_from_settings()


async def run_import(ctx: dict[str, Any], import_id: int, attempt: int) -> str:
    """arq job: run one import (in a thread: parsing and the database calls block)."""
    engine = ctx.get("metrics_engine") or _engine()
    return await asyncio.to_thread(run_import_sync, engine, import_id, attempt)


# An hour for a large file (arq's default is five minutes); a worker killed mid-run has its job run again by arq.
IMPORT_JOB = func(run_import, name="run_import", timeout=3600, max_tries=3)
