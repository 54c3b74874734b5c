"""The action list at scale: statements per page at 10 and 2,000 actions, and the effect of 1,000 done actions
against the one SQL aggregate that computes the same baselines and window values.

    .venv/bin/python bench/actions.py [--actions 2000] [--probes 1000] [--kpis 200] [--years 3] [--rounds 7]
                                      [--database-url URL]

Part 1, the tasks service: a workspace with 10 actions and one with 2,000 (every status, kind and quadrant, in
two periods), each page's API call - the action list, the matrix, the capacity, a period's plan - answered by
the service's own app (FastAPI test client, no network): the SQL statements each runs (the same at both sizes,
as services/tasks/tests/actions/test_query_count.py asserts) and its median time at 2,000.

Part 2, the metrics service: KPIs with `--years` of monthly observations, and `--probes` done actions on them
(a done date in the last two years, a 3-month window, an expected direction). The effect service's compute()
- the KPIs looked up, the one aggregate, the verdict of each probe in Python - against that aggregate alone
(effects/service.py's aggregate(), the same single SQL statement). Both after two warm-ups; medians compared.

Without --database-url both services use fresh SQLite files in a temporary directory; with a PostgreSQL URL
(postgresql+psycopg://…/postgres) each gets a scratch database of its own on that server (named by the run, so
runs side by side never meet), dropped afterwards.
The last line is `ratio: N.NN`, compute's time over the aggregate's: the goal is at most 2.0.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kit.dates import add_months  # noqa: E402
from kit.db import make_engine  # noqa: E402
from kit.sqlcount import count_statements  # noqa: E402

KEY = "bench-signing-key-bench-signing-key"


def median_time(fn, rounds: int) -> float:
    for _ in range(2):
        fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def tasks_part(url: str, n: int, rounds: int) -> None:
    from fastapi.testclient import TestClient

    from kit.identity import IDENTITY_HEADER, Principal, sign_identity
    from kit.roles import Role
    from kit.service_app import create_service_app
    from services.tasks.models import metadata
    from services.tasks.routes import routers
    from services.tasks.tests.actions.test_query_count import PATHS, fill

    engine = make_engine(url)
    metadata.create_all(engine)
    app = create_service_app(name="tasks", title="t", description="t", engine=engine,
                             redis_url="redis://127.0.0.1:1/0", signing_key=KEY, routers=routers)  # fmt: skip
    sizes = {10: (1, fill(engine, 10, 1)), n: (2, fill(engine, n, 2))}
    with TestClient(app) as client:
        for path in [*PATHS, "/api/v1/periods/{p}/plan"]:
            row = []
            for size, (ws, period) in sizes.items():
                headers = {IDENTITY_HEADER: sign_identity(KEY, Principal(1, ws, Role.editor), ttl=3600)}
                url_ = path.format(p=period)
                with count_statements(engine) as log:
                    assert client.get(url_, headers=headers).status_code == 200
                row.append(log.count)
                if size == n:
                    took = median_time(lambda u=url_, h=headers: client.get(u, headers=h), rounds)
            print(f"{path:42} statements at 10: {row[0]}, at {n}: {row[1]}   median at {n}: {took * 1000:7.1f} ms")
            assert row[0] == row[1], f"{path}: statements grow with the actions"
    engine.dispose()


def metrics_part(url: str, n_kpis: int, years: int, n_probes: int, rounds: int) -> float:
    from sqlmodel import Session

    import services.metrics.models  # noqa: F401  (registers the tables)
    from services.metrics.db import metadata
    from services.metrics.effects import service
    from services.metrics.effects.models import Probe
    from services.metrics.kpis.models import Category, Kpi
    from services.metrics.observations.models import Observation, Period, Source

    engine = make_engine(url)
    metadata.create_all(engine)
    rnd = random.Random(9)
    today = date.today()
    first = add_months(today.replace(day=1), -12 * years)
    with Session(engine) as s:
        kpis = [Kpi(workspace_id=1, name=f"KPI {i}", category=Category.result) for i in range(n_kpis)]
        s.add_all(kpis)
        s.flush()
        ids = [k.id for k in kpis]
        rows = [
            Observation(workspace_id=1, kpi_id=k, period=Period.month, period_start=add_months(first, m),
                        value=100 + rnd.gauss(0, 3) + (15 if m > 12 * years - 6 else 0), source=Source("api"))
            for k in ids
            for m in range(12 * years)
        ]  # fmt: skip
        s.add_all(rows)
        s.commit()
        print(f"metrics: {n_kpis} KPIs, {len(rows)} monthly observations, {n_probes} done actions")
        probes = [
            Probe(str(i), rnd.choice(ids), today - timedelta(days=rnd.randint(100, 700)), 3, rnd.choice(["up", "down"]))
            for i in range(n_probes)
        ]
        grains = {k: "month" for k in ids}
        items = [(i, p.kpi_id, service.bounds(p, grains[p.kpi_id])) for i, p in enumerate(probes)]
        full = median_time(lambda: service.compute(session=s, workspace_id=1, probes=probes, today=today), rounds)
        alone = median_time(lambda: service.aggregate(s, 1, items), rounds)
        verdicts: dict[str, int] = {}
        for e in service.compute(session=s, workspace_id=1, probes=probes, today=today):
            verdicts[e.verdict.value] = verdicts.get(e.verdict.value, 0) + 1
    engine.dispose()
    print(f"verdicts: {verdicts}")
    print(f"compute (KPIs, aggregate, verdicts): {full * 1000:8.1f} ms")
    print(f"the single SQL aggregate:            {alone * 1000:8.1f} ms")
    return full / alone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--probes", type=int, default=1000)
    parser.add_argument("--kpis", type=int, default=200)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--database-url", default=os.environ.get("EFFEKT_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.database_url:
            from scratch_db import scratch_database

            run = f"{os.getpid()}_{int(time.time())}"  # a shared server: never another run's database
            urls = [stack.enter_context(scratch_database(args.database_url, f"effekt_bench_actions_{run}_{p}"))
                    for p in ("tasks", "metrics")]  # fmt: skip
            urls = [u.replace("postgresql://", "postgresql+psycopg://") for u in urls]
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="effekt-bench-actions-"))
            urls = [f"sqlite:///{folder}/tasks.db", f"sqlite:///{folder}/metrics.db"]
        tasks_part(urls[0], args.actions, args.rounds)
        ratio = metrics_part(urls[1], args.kpis, args.years, args.probes, args.rounds)
    print(f"ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
