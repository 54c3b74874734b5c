"""All or nothing: a file with one bad line stores nothing, wherever the line is, and a run that dies or is
superseded mid-way leaves only what its progress says (nothing, on PostgreSQL's one-transaction way), so the
next run stores each row exactly once. The killed and superseded runs are real processes running the job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from services.metrics.imports import service as imports
from services.metrics.imports.jobs import run_import_sync
from services.metrics.imports.models import ImportProblem, ImportStatus, ObservationImport
from services.metrics.kpis.models import Category, Kpi
from services.metrics.observations.models import Observation

ROOT = Path(__file__).resolve().parents[4]
CHILD = (
    "import sys\n"
    "from kit.db import make_engine\n"
    "from services.metrics.imports.jobs import run_import_sync\n"
    "print(run_import_sync(make_engine(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])), flush=True)\n"
)


def kpis(session: Session, count: int) -> None:
    session.add_all(Kpi(workspace_id=1, name=f"K{n}", category=Category.result) for n in range(count))
    session.commit()


def csv_of(count: int, per_day: int = 100) -> str:
    """count daily values: each day one for every KPI."""
    first = date(2020, 1, 1)
    return "kpi;period;date;value\n" + "".join(
        f"K{i % per_day};day;{(first + timedelta(days=i // per_day)).isoformat()};{i},5\n" for i in range(count)
    )


def start(session: Session, text: str) -> ObservationImport:
    record = imports.create_import(session=session, workspace_id=1, user_id=1, filename="f.csv", data=text.encode())
    session.commit()
    session.refresh(record)
    mapping = imports.to_public(record).suggested
    record = imports.start_run(session=session, workspace_id=1, import_id=record.id, mapping=mapping)
    session.commit()
    return record


def state(engine, import_id: int) -> tuple[ObservationImport, int]:
    """The import's record and the observations stored, as another connection sees them."""
    while True:
        try:
            with Session(engine) as session:
                record = session.get(ObservationImport, import_id)
                return record, session.exec(select(func.count()).select_from(Observation)).one()
        except OperationalError:  # SQLite: the job holds the write lock for a moment
            time.sleep(0.01)


def child(engine, record: ObservationImport) -> subprocess.Popen:
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-c", CHILD, url, str(record.id), str(record.attempt)]
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


def heap_bytes(engine) -> int:
    """What the observations table takes on disk, rows of transactions not committed yet included (PostgreSQL)."""
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_relation_size('observations')").scalar()


def wait_for(engine, import_id: int, proc: subprocess.Popen, ready) -> tuple[ObservationImport, int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        record, count = state(engine, import_id)
        if ready(record):
            return record, count
        assert proc.poll() is None, f"the run ended before it could be cut off: {record}"
        time.sleep(0.005)
    raise AssertionError("the run made no progress")


@pytest.mark.parametrize("last", ["Nope;day;2020-01-03;1", "K1;day;2020-01-01;9"])
def test_a_bad_last_line_stores_nothing_and_is_reported(engine, session, monkeypatch, last):
    monkeypatch.setattr("services.metrics.imports.jobs.CHUNK", {"postgresql": 2, "sqlite": 2})  # chunks went first
    kpis(session, 3)
    record = start(session, csv_of(6, per_day=3) + last + "\n")
    assert run_import_sync(engine, record.id, record.attempt) == "failed_validation"
    record, count = state(engine, record.id)
    assert count == 0
    assert (record.status, record.rows_total, record.rows_checked, record.bad_lines) == ("failed_validation", 7, 7, 1)
    assert (record.rows_done, record.created, record.replaced) == (0, 0, 0)
    problems = session.exec(select(ImportProblem).where(col(ImportProblem.import_id) == record.id)).all()
    assert [p.line for p in problems] == [8]
    assert ("no KPI named 'Nope'" if last.startswith("Nope") else "earlier line") in problems[0].reason


def test_a_good_file_in_many_chunks_stores_every_row_once(engine, session, monkeypatch):
    monkeypatch.setattr("services.metrics.imports.jobs.CHUNK", {"postgresql": 4, "sqlite": 4})
    kpis(session, 3)
    record = start(session, csv_of(30, per_day=3))
    assert run_import_sync(engine, record.id, record.attempt) == "done"
    record, count = state(engine, record.id)
    assert count == 30 and (record.rows_total, record.rows_done, record.created, record.replaced) == (30, 30, 30, 0)
    values = sorted(o.value for o in session.exec(select(Observation)))
    assert values == [i + 0.5 for i in range(30)]


def test_a_killed_run_leaves_what_its_progress_says_and_the_next_stores_each_row_once(engine, session):
    rows = 200_000
    kpis(session, 100)
    record = start(session, csv_of(rows))
    postgresql = engine.dialect.name == "postgresql"
    proc = child(engine, record)
    try:  # cut off once rows are being written: on PostgreSQL while checking, on SQLite once chunks committed
        if postgresql:
            cut, seen = wait_for(engine, record.id, proc, lambda r: r.rows_checked > 0 and heap_bytes(engine) > 0)
        else:
            cut, seen = wait_for(engine, record.id, proc, lambda r: r.rows_done > 0)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    died, count = state(engine, record.id)
    assert died.status in (ImportStatus.checking, ImportStatus.storing) and count == died.rows_done < rows
    if postgresql:  # rows were written, still checking, none visible: one transaction, gone with the process
        assert (cut.status, seen, died.status, died.rows_done, died.created) == (
            ImportStatus.checking,
            0,
            "checking",
            0,
            0,
        )
    session.execute(  # as a worker that died leaves it, two minutes on
        update(ObservationImport)
        .where(col(ObservationImport.id) == record.id)
        .values(updated_at=datetime.now(UTC) - timedelta(minutes=5))
    )
    session.commit()
    again = imports.start_run(session=session, workspace_id=1, import_id=record.id)
    session.commit()
    assert again.rows_done == died.rows_done  # resumed after what was stored, or started over from nothing
    assert run_import_sync(engine, record.id, again.attempt) == "done"
    final, count = state(engine, record.id)
    assert count == rows and (final.rows_done, final.created, final.replaced) == (rows, rows, 0)
    stored = session.exec(select(Observation.value).order_by(col(Observation.value))).all()
    assert stored == [i + 0.5 for i in range(rows)]


def test_a_run_superseded_mid_way_stops_and_stores_nothing_beyond_its_progress(engine, session):
    rows = 200_000
    kpis(session, 100)
    record = start(session, csv_of(rows))
    proc = child(engine, record)
    try:
        wait_for(engine, record.id, proc, lambda r: r.rows_checked >= 100_000 or r.rows_done > 0)
        session.execute(  # a newer run was started (as start_run does for an interrupted one)
            update(ObservationImport)
            .where(col(ObservationImport.id) == record.id)
            .values(attempt=ObservationImport.attempt + 1, status=ImportStatus.queued)
        )
        session.commit()
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert out.strip() == "superseded"
    after, count = state(engine, record.id)
    assert after.status == ImportStatus.queued and count == after.rows_done
    if engine.dialect.name == "postgresql":
        assert count == 0
