"""Storing an import's checked rows: COPY on PostgreSQL (straight into observations when none of the keys is
stored yet, else through a temporary table and one upsert), upserts of 1,000 rows a statement on SQLite.
Each function takes rows sorted by key, as tab-separated lines, and answers (created, stored)."""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import psycopg
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection

from services.metrics.observations.models import Observation

ESCAPED = re.compile(r"\\(.)")
UNESCAPE = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
OBSERVATIONS = Observation.__table__
STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS import_stage (kpi_id integer, period varchar(32), period_start date, "
    "value double precision, source varchar(32), note text) ON COMMIT DELETE ROWS"
)
# Rows sorted by key, with the run's constant columns first (one join builds a chunk).
DIRECT = (
    "COPY observations (workspace_id, created_at, updated_at, kpi_id, period, period_start, value, source, "
    "note) FROM STDIN"
)
# The period too, so each KPI's part of the key's index is one short range (without it, the range held every row
# of the KPI stored so far: chunks of one transaction that each hold every KPI scanned all earlier chunks again).
EXISTS = (
    "SELECT EXISTS (SELECT 1 FROM observations WHERE kpi_id = ANY(%(kpis)s) AND period = ANY(%(periods)s) "
    "AND period_start BETWEEN %(first)s AND %(last)s)"
)
PERIOD_WORDS = {0: "day", 1: "month", 2: "week"}  # check.PERIOD_CODES >> 24
# In key order, so concurrent imports lock shared keys in the same order; created_at = updated_at marks an insert.
MERGE = """WITH up AS (
  INSERT INTO observations (kpi_id, period, period_start, value, source, note, workspace_id, created_at, updated_at)
  SELECT kpi_id, period, period_start, value, source, note, %(ws)s, %(now)s, %(now)s FROM import_stage
  ORDER BY kpi_id, period, period_start, source
  ON CONFLICT (kpi_id, period, period_start, source)
  DO UPDATE SET value = excluded.value, note = excluded.note, updated_at = excluded.updated_at
  RETURNING created_at = updated_at AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FROM up"""


SWITCH_INTERVAL = 0.0005  # seconds; CPython's default is 0.005
_switching = {"users": 0, "saved": 0.005}
_switching_lock = threading.Lock()


@contextmanager
def quick_switches(on: bool = True) -> Iterator[None]:
    """Hand the GIL over every half millisecond instead of every 5 ms while a thread COPies and another checks.

    The storing thread needs the GIL each time the socket to PostgreSQL has room again (several times a chunk);
    with the default interval it waited up to 5 ms each time while the checking thread ran, and PostgreSQL sat
    idle: measured, 1M rows took 3.9-4.7 s to COPY beside a busy Python thread against 2.1-2.2 s alone, and
    2.1-2.3 s with this interval. The interval is the process's, so it is set while any run needs it (`on`)."""
    if not on:
        yield
        return
    with _switching_lock:
        if _switching["users"] == 0:
            _switching["saved"] = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL)
        _switching["users"] += 1
    try:
        yield
    finally:
        with _switching_lock:
            _switching["users"] -= 1
            if _switching["users"] == 0:
                sys.setswitchinterval(_switching["saved"])


def _from_copy_text(field: str) -> str | None:
    if field == "\\N":
        return None
    return ESCAPED.sub(lambda m: UNESCAPE[m.group(1)], field)


def _exists(cursor: Any, keys: list[int]) -> bool:
    """Whether observations may already hold one of these keys (of their KPIs, within their dates)."""
    kpis = sorted({k >> 26 for k in keys})
    periods = [PERIOD_WORDS[p] for p in {(k >> 24) & 3 for k in keys}]
    days = [(k >> 2) & 0x3FFFFF for k in keys]
    first, last = date.fromordinal(min(days)), date.fromordinal(max(days))
    cursor.execute(EXISTS, {"kpis": kpis, "periods": periods, "first": first, "last": last})
    return cursor.fetchone()[0]


def postgresql(
    conn: Connection, workspace_id: int, keys: list[int], lines: list[str], now: datetime, probe: bool = True
) -> tuple[int, int]:
    """Rows sorted by key: COPY straight into observations when none of their keys is there yet (the common
    first import), else COPY into a temporary table and one upsert from it: (created, stored).

    Without `probe` the COPY is tried without asking first, and a key already there sends the chunk to the
    upsert all the same (what the COPY did up to that key is rolled back and is the cost of guessing wrong)."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor:
        if not (probe and _exists(cursor, keys)):
            prefix = f"{workspace_id}\t{now.isoformat()}\t{now.isoformat()}\t"
            cursor.execute("SAVEPOINT import_direct")
            try:
                with cursor.copy(DIRECT) as copy:
                    copy.write((prefix + ("\n" + prefix).join(lines) + "\n").encode())
                cursor.execute("RELEASE SAVEPOINT import_direct")
                return len(lines), len(lines)
            except psycopg.errors.UniqueViolation:  # stored before (unprobed), or by another run meanwhile
                cursor.execute("ROLLBACK TO SAVEPOINT import_direct")
        conn.exec_driver_sql(STAGE)
        with cursor.copy("COPY import_stage (kpi_id, period, period_start, value, source, note) FROM STDIN") as copy:
            copy.write(("\n".join(lines) + "\n").encode())
        cursor.execute(MERGE, {"ws": workspace_id, "now": now})
        created, stored = cursor.fetchone()
        cursor.execute("TRUNCATE import_stage")  # a run's chunks may share one transaction (pipeline.py)
    return created, stored


def sqlite(conn: Connection, workspace_id: int, keys: list[int], lines: list[str], now: datetime) -> tuple[int, int]:
    """Upserts of 1,000 rows a statement, as observations.py's push does: (created, stored)."""
    stmt = sqlite_dialect.insert(OBSERVATIONS)
    stmt = stmt.on_conflict_do_update(
        index_elements=["kpi_id", "period", "period_start", "source"],
        set_={"value": stmt.excluded.value, "note": stmt.excluded.note, "updated_at": stmt.excluded.updated_at},
    )
    stmt = stmt.returning((OBSERVATIONS.c.created_at == OBSERVATIONS.c.updated_at).label("inserted"))
    created = 0
    for start in range(0, len(lines), 1_000):
        params = []
        for line in lines[start : start + 1_000]:
            kpi_id, period, day, value, source, note = line.split("\t")
            params.append(
                {
                    "kpi_id": int(kpi_id),
                    "period": period,
                    "period_start": date.fromisoformat(day),
                    "value": float(value),
                    "source": source,
                    "note": _from_copy_text(note),
                    "workspace_id": workspace_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        created += sum(bool(r.inserted) for r in conn.execute(stmt, params))
    return created, len(lines)
