"""All or nothing on PostgreSQL in one pass: lines are checked while the good ones are stored, in one transaction.

The observations go to PostgreSQL in chunks (each sorted by key) on one connection of their own, in one
transaction that a thread holds open: chunk N is COPied there while the next lines are checked (psycopg lets go
of the GIL while PostgreSQL works, and PostgreSQL is another process). Nothing commits until every line is
checked: the transaction ends with the import marked done, its counts and its notice, in the same commit; a bad
line, a superseded run or an error rolls it back, so nothing of the file is stored. Progress (lines checked, bad
lines) and the report commit on the job's other connections as the check goes, so the progress bar moves and
the report keeps every bad line with its number. Chunks are COPied without first asking whether their keys are
stored until one of them meets stored keys (it is then upserted, and the later chunks ask first): the probe's
index ranges grew with every chunk of the transaction, a wrong guess costs the COPY up to the first stored key.

A run that dies stored nothing: its record says `checking` with no rows done, and start_run starts the next run
over (it resumes only a `storing` run). A run resumed after committed chunks of the earlier, two-pass way
(rows_done > 0) and every run on SQLite go the two-pass way (jobs._check_then_store)."""

from __future__ import annotations

import queue
import threading

from sqlalchemy.engine import Engine

from kit.fields import utcnow
from services.metrics.imports import store
from services.metrics.imports.check import LineChecker
from services.metrics.imports.jobs import TABLE, _check_all, _end, _progress, _sorted_chunks
from services.metrics.imports.models import ImportStatus, ObservationImport
from services.metrics.outbox import service as outbox

_ROLLBACK = object()


class _Transaction:
    """A thread with one connection and one transaction: stores the chunks it is handed, then commits them with
    the import's end, or rolls everything back."""

    def __init__(self, engine: Engine, record: ObservationImport):
        self.engine, self.record = engine, record
        self.queue: queue.Queue = queue.Queue(maxsize=2)  # at most two chunks wait: memory stays a few chunks
        self.error: BaseException | None = None
        self.ended = False
        self.thread = threading.Thread(target=self._work, daemon=True)
        self.thread.start()

    def put(self, keys: list[int], lines: list[str]) -> None:
        """Store these rows (sorted by key) in the transaction; raise what the thread raised."""
        if self.error is not None:
            raise self.error
        self.queue.put((keys, lines))

    def end(self, total: int | None, failed: bool = False) -> None:
        """With the number of lines: commit, the import done. With None: roll back. Raise what the thread raised
        (unless the caller failed itself)."""
        if not self.ended:
            self.ended = True
            self.queue.put(_ROLLBACK if total is None else total)
            self.thread.join()
        if self.error is not None and not failed:
            raise self.error

    def _work(self) -> None:
        item: object = ()  # a tuple until the end comes, whatever fails
        try:
            with self.engine.connect() as conn, conn.begin() as transaction:
                made = stored = 0
                probe = False  # until a chunk meets stored keys: the first import of values asks nothing
                while type(item := self.queue.get()) is tuple:
                    created, count = store.postgresql(conn, self.record.workspace_id, *item, utcnow(), probe)
                    made, stored, probe = made + created, stored + count, probe or created < count
                if item is _ROLLBACK:
                    transaction.rollback()
                    return
                record = self.record
                _progress(  # raises Superseded, rolling back, when a newer run started meanwhile
                    conn,
                    record.id,
                    record.attempt,
                    status=ImportStatus.done,
                    rows_total=item,
                    rows_done=stored,
                    created=made,
                    replaced=stored - made,
                    error=None,
                    finished_at=utcnow(),
                )
                outbox.tell_import_starter(conn, TABLE, record.id, record.attempt, ImportStatus.done.value)
        except BaseException as exc:  # handed to the checking thread
            self.error = exc
            while type(item) is tuple:  # the checking thread may be waiting to hand over a chunk
                item = self.queue.get()


def check_while_storing(engine: Engine, record: ObservationImport, data: bytes, checker: LineChecker, size: int) -> str:
    """All or nothing in one pass (see the module's docstring); the status the import ended in."""
    good: dict[int, str] = {}
    writer = _Transaction(engine, record)

    def full(bad_lines: int) -> None:
        if bad_lines:  # nothing will be stored: let go of the transaction (and of what failed in it), keep checking
            writer.end(None, failed=True)
        else:
            for keys, lines in _sorted_chunks(good, size):
                writer.put(keys, lines)
        good.clear()

    try:
        with store.quick_switches():
            total, bad = _check_all(engine, record, data, checker, good, full, size)
            full(bad)
            if not bad:
                writer.end(total)
    except BaseException:
        writer.end(None, failed=True)
        raise
    if bad:
        with engine.begin() as conn:
            _progress(conn, record.id, record.attempt, rows_total=total)
        return _end(engine, record, ImportStatus.failed_validation)
    return ImportStatus.done.value
