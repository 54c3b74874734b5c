"""What a full scorecard costs against the one SQL aggregate that computes the same numbers.

    .venv/bin/python bench/scorecard.py [--kpis 1000] [--years 3] [--rounds 7] [--database-url URL]

A workspace with 1,000 KPIs (every aggregation, every category) and three years of daily observations
(about 1.1 million rows) in a fresh PostgreSQL database on the given server. The metrics service runs as
production runs it (`effekt serve metrics`, its own process) and answers GET /api/v1/scorecard for this
month over real HTTP: twelve months of values per KPI (the period and its sparkline), targets, status,
staleness, the JSON. The reference is one SQL statement that computes the same twelve monthly values of
every KPI, honouring each KPI's aggregation, run on the same server through psycopg.

Both are timed after two warm-up runs; the medians are compared. The last line is `ratio: N.NN`, the
scorecard request's time over the SQL's: the goal is at most 2.0.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scratch_db import scratch_database  # noqa: E402  (bench/, beside this file)

from kit.dates import add_months  # noqa: E402
from kit.identity import IDENTITY_HEADER, Principal, sign_identity  # noqa: E402
from kit.roles import Role  # noqa: E402

DB = "effekt_bench_scorecard"
KEY = "bench-signing-key-bench-signing-key"
AGGREGATIONS = ("sum", "mean", "last", "min", "max")
CATEGORIES = ("input", "activity", "result")

REFERENCE = """
SELECT o.kpi_id, date_trunc('month', o.period_start) AS month,
       CASE k.aggregation WHEN 'sum' THEN sum(o.value) WHEN 'mean' THEN avg(o.value)
                          WHEN 'min' THEN min(o.value) WHEN 'max' THEN max(o.value)
                          ELSE (array_agg(o.value ORDER BY o.period_start DESC))[1] END AS value
FROM observations o JOIN kpis k ON k.id = o.kpi_id
WHERE k.workspace_id = %(ws)s AND NOT k.archived AND o.period_start BETWEEN %(start)s AND %(end)s
GROUP BY o.kpi_id, month, k.aggregation
"""


def seed(url: str, n_kpis: int, years: int, today: date) -> int:
    """The KPIs through the service's own rules, their targets and observations by COPY; rows written."""
    from kit.db import in_session, make_engine
    from services.metrics.kpis import service
    from services.metrics.kpis.models import KpiCreate

    def add(session):
        ids = []
        for i in range(n_kpis):
            kpi = service.create_kpi(
                session=session,
                workspace_id=1,
                data=KpiCreate(
                    name=f"KPI {i:04d}",
                    category=CATEGORIES[i % 3],
                    aggregation=AGGREGATIONS[i % 5],
                    expected_frequency="day",
                    baseline_value=100.0,
                ),
            )
            ids.append(kpi.id)
        return ids

    engine = make_engine(url)
    try:
        ids = in_session(engine, add)
    finally:
        engine.dispose()
    first = date(today.year - years, today.month, 1)
    days = [first + timedelta(days=d) for d in range((today - first).days + 1)]
    rnd = random.Random(4)
    rows = 0
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        with conn.cursor() as cur:
            for year in range(today.year - years, today.year + 1):
                cur.executemany(
                    "INSERT INTO kpi_targets (kpi_id, workspace_id, period_start, period_end, target) "
                    "VALUES (%s, 1, %s, %s, %s)",
                    [(k, date(year, 1, 1), date(year, 12, 31), 120.0) for k in ids],
                )
            with cur.copy(
                "COPY observations (kpi_id, workspace_id, period, period_start, value, source, "
                "created_at, updated_at) FROM STDIN"
            ) as copy:
                stamp = "2026-01-01 00:00:00+00"
                for kpi_id in ids:
                    buf = io.StringIO()
                    for day in days:
                        buf.write(
                            f"{kpi_id}\t1\tday\t{day.isoformat()}\t{rnd.uniform(50, 150):.3f}\tapi\t{stamp}\t{stamp}\n"
                        )
                    copy.write(buf.getvalue())
                    rows += len(days)
        conn.commit()
        conn.execute("ANALYZE")
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(url: str, port: int, data_dir: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_")}
    env.update(
        EFFEKT_DATA_DIR=data_dir,
        EFFEKT_METRICS_DATABASE_URL=url,
        EFFEKT_SIGNING_KEY=KEY,
        EFFEKT_LOG_LEVEL="WARNING",
        EFFEKT_LOG_JSON="false",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    script = Path(sys.executable).with_name("effekt")
    proc = subprocess.Popen([str(script), "serve", "metrics", "--port", str(port)], env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the metrics service did not start")


def timed(fn, rounds: int) -> list[float]:
    for _ in range(2):
        fn()
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def compare(url: str, kpis: int, rounds: int, today: date) -> tuple[list[float], list[float]]:
    """Timings of the scorecard request (the service in its own process) and of the reference SQL."""
    with tempfile.TemporaryDirectory(prefix="effekt-bench-") as data_dir:
        port = free_port()
        proc = start_service(url, port, data_dir)
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        conn = psycopg.connect(url)
        try:

            def scorecard():
                identity = sign_identity(KEY, Principal(user_id=1, workspace_id=1, role=Role.viewer))
                response = client.get(
                    "/api/v1/scorecard", params={"period": "month"}, headers={IDENTITY_HEADER: identity}
                )
                response.raise_for_status()
                assert sum(len(c) for c in response.json()["columns"].values()) == kpis

            this_month = today.replace(day=1)  # the scorecard's twelve months: eleven back and this one
            params = {
                "ws": 1,
                "start": add_months(this_month, -11),
                "end": add_months(this_month, 1) - timedelta(days=1),
            }

            def reference():
                return conn.execute(REFERENCE, params).fetchall()

            check = reference()
            print(f"reference SQL: {len(check):,} values over {len({row[1] for row in check})} months", flush=True)
            return timed(scorecard, rounds), timed(reference, rounds)
        finally:
            conn.close()
            client.close()
            proc.terminate()
            proc.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kpis", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("EFFEKT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--keep", action="store_true", help="Keep the bench database afterwards.")
    args = parser.parse_args()
    today = date.today()
    with scratch_database(args.database_url, DB, keep=args.keep) as url:
        from kit import migrations

        migrations.upgrade(ROOT / "services" / "metrics", url)
        t0 = time.perf_counter()
        rows = seed(url, args.kpis, args.years, today)
        print(f"seeded {args.kpis} KPIs, {rows:,} observations in {time.perf_counter() - t0:.1f} s", flush=True)
        api, sql = compare(url, args.kpis, args.rounds, today)
    a, s = statistics.median(api), statistics.median(sql)
    print(
        f"scorecard request (HTTP, {args.kpis} KPIs): median {a * 1000:.0f} ms "
        f"(min {min(api) * 1000:.0f}, max {max(api) * 1000:.0f})"
    )
    print(
        f"single SQL aggregate:                 median {s * 1000:.0f} ms "
        f"(min {min(sql) * 1000:.0f}, max {max(sql) * 1000:.0f})"
    )
    print(f"ratio: {a / s:.2f}")


if __name__ == "__main__":
    main()
