"""What importing a CSV of observations costs against PostgreSQL's own COPY of the same file.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--kpis 1000] [--database-url postgresql://...]

A fresh database (effekt_bench_ingest on the given server, dropped at the end) with the metrics tables and a
workspace of 1,000 KPIs. The CSV (kpi;period;date;value, a decimal comma in every value, as a Nordic
spreadsheet saves it) holds one daily value per KPI per day. The import goes the product's way: the upload is
stored (imports.create_import), the suggested mapping confirmed (imports.start_run), and the arq job's body
(import_jobs.run_import_sync) checks every line while a thread COPies the good ones into observations, in one
transaction that commits when every line is good (all or nothing; with --store-good, committed chunks). The
reference is `COPY bare FROM STDIN (FORMAT csv)` of the same file into a table with the file's columns and no
index, constraint or key, on the same server (that ratio is printed too), and `COPY keyed` into a table with
the same unique key, the honest limit of an idempotent store. The last line is `ratio: N.NN`, the import's rows
per second over the keyed COPY's: the goal is at least 0.6.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scratch_db import scratch_database  # noqa: E402  (bench/, beside this file)
from sqlmodel import Session  # noqa: E402

from kit.db import make_engine  # noqa: E402
from services.metrics.db import metadata  # noqa: E402
from services.metrics.imports import service as imports  # noqa: E402
from services.metrics.imports.jobs import run_import_sync  # noqa: E402
from services.metrics.imports.models import ObservationImport  # noqa: E402
from services.metrics.kpis.models import Category, Kpi  # noqa: E402

DATABASE = "effekt_bench_ingest"
BARE = "CREATE TABLE bare (kpi text, period text, period_start date, value text)"
# The honest limit of an idempotent store: the same rows into a table with the same unique key.
KEYED = (
    "CREATE TABLE keyed (kpi text, period text, period_start date, value text, PRIMARY KEY (kpi, period, period_start))"
)


def make_csv(rows: int, kpis: int) -> bytes:
    """rows lines after the header: each day, one value for every KPI."""
    first = date(2020, 1, 1)
    names = [f"KPI {n:04d}" for n in range(kpis)]
    lines = ["kpi;period;date;value\n"]
    for i in range(rows):
        day = (first + timedelta(days=i // kpis)).isoformat()
        lines.append(f"{names[i % kpis]};day;{day};{i % 9973},{i % 100:02d}\n")
    return "".join(lines).encode()


def import_seconds(url: str, data: bytes, kpis: int, store_good: bool = False) -> tuple[float, dict]:
    """The product's import of the file, from the stored upload to the last committed chunk."""
    engine = make_engine(url)
    metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(Kpi(workspace_id=1, name=f"KPI {n:04d}", category=Category.result) for n in range(kpis))
        session.commit()
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        record = imports.create_import(session=session, workspace_id=1, user_id=1, filename="bench.csv", data=data)
        session.commit()
        mapping = imports.to_public(record).suggested.model_copy(update={"store_good": store_good})
        record = imports.start_run(session=session, workspace_id=1, import_id=record.id, mapping=mapping)
        session.commit()
    status = run_import_sync(engine, record.id, record.attempt)
    elapsed = time.perf_counter() - started
    with Session(engine) as session:
        done = session.get(ObservationImport, record.id)
        result = {"status": status, "rows_done": done.rows_done, "created": done.created, "bad": done.bad_lines}
    engine.dispose()
    return elapsed, result


def copy_seconds(url: str, data: bytes, table: str = "bare", ddl: str = BARE) -> float:
    """PostgreSQL's COPY of the same file into a bare table (or the keyed one)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(ddl)
        started = time.perf_counter()
        with conn.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER true, DELIMITER ';')") as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kpis", type=int, default=1000)
    parser.add_argument(
        "--store-good",
        action="store_true",
        help="store good lines as they are checked (one pass) instead of all or nothing (two)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("EFFEKT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    data = make_csv(args.rows, args.kpis)
    with scratch_database(args.database_url, DATABASE) as url:
        copy = copy_seconds(url, data)
        keyed = copy_seconds(url, data, "keyed", KEYED)
        seconds, result = import_seconds(url, data, args.kpis, args.store_good)
    if result["status"] != "done" or result["rows_done"] != args.rows:
        sys.exit(f"the import did not store every row: {result}")
    print(f"rows: {args.rows} ({len(data) / 1e6:.1f} MB of CSV, {args.kpis} KPIs)")
    mode = "store good lines while checking" if args.store_good else "all or nothing: checked while stored, one commit"
    print(f"import: {seconds:.2f} s ({args.rows / seconds:,.0f} rows/s; {mode})")
    print(f"copy: {copy:.2f} s ({args.rows / copy:,.0f} rows/s)")
    print(f"copy into a table with the same unique key: {keyed:.2f} s ({args.rows / keyed:,.0f} rows/s)")
    print(f"ratio against the bare COPY: {copy / seconds:.2f}")
    print(f"ratio: {keyed / seconds:.2f}")


if __name__ == "__main__":
    main()
