"""My work for a person with 100 open tasks: in a database of 1,000,000 tasks across 1,000 workspaces, against
the same page in a database of 10,000 tasks. The ratio of the median times should stay near 1 (the page reads
the person's rows through an index, never the whole table), and the number of SQL statements is the same.

    .venv/bin/python bench/my_work.py                       # SQLite in a temporary directory
    .venv/bin/python bench/my_work.py --big 200000          # a smaller big database (quicker)
    .venv/bin/python bench/my_work.py --database-url postgresql://postgres@127.0.0.1/postgres   # a scratch PG db

The last line is `ratio: N.NN` (big over small)."""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from kit import migrations
from kit.db import make_engine
from kit.sqlcount import count_statements
from services.tasks.tasks import service

ROOT = Path(__file__).resolve().parents[1]
ME = 1
MY_WORKSPACES = list(range(1, 11))  # an agency person in ten client workspaces
MY_OPEN, MY_APPROVALS, TASKS_PER_RUN = 100, 10, 100
STATES = ["waiting"] * 3 + ["open", "in_progress"] + ["done"] * 5


def _seed(engine, total: int, workspaces: int, today: date) -> None:
    """`total` tasks in runs of 100 across `workspaces`; the person holds 100 open ones and 10 approvals."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    meta = sa.MetaData()
    meta.reflect(engine, only=["workflow_templates", "workflow_versions", "workflow_runs", "tasks", "task_approvers"])
    t = meta.tables
    runs = total // TASKS_PER_RUN
    with engine.begin() as conn:
        conn.execute(
            t["workflow_templates"].insert(),
            [{"workspace_id": 1, "name": "Blog post", "archived": False, "created_at": now, "updated_at": now}],
        )
        conn.execute(
            t["workflow_versions"].insert(),
            [
                {
                    "workspace_id": 1,
                    "template_id": 1,
                    "number": 1,
                    "state": "published",
                    "definition": {},
                    "created_at": now,
                }
            ],
        )
        conn.execute(
            t["workflow_runs"].insert(),
            [
                {
                    "workspace_id": 1 + r % workspaces,
                    "template_id": 1,
                    "version_id": 1,
                    "version_number": 1,
                    "name": f"Run {r}",
                    "state": "running",
                    "anchors": {},
                    "hard_anchors": [],
                    "roles": {},
                    "role_names": {},
                    "started_by": 2,
                    "send_backs": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for r in range(runs)
            ],
        )
    mine = [r for r in range(runs) if 1 + r % workspaces in MY_WORKSPACES]
    slots = [(r, p) for p in range(TASKS_PER_RUN) for r in mine][: MY_OPEN + MY_APPROVALS]
    special = {slot: i for i, slot in enumerate(slots)}
    batch = []
    with engine.begin() as conn:
        for r in range(runs):
            ws = 1 + r % workspaces
            for p in range(TASKS_PER_RUN):
                owner, state, required = rng.randrange(2, 5000), rng.choice(STATES), 0
                if (r, p) in special:
                    owner, state = (ME, "open") if special[r, p] < MY_OPEN else (2, "open")
                    required = 0 if special[r, p] < MY_OPEN else 1
                due = today + timedelta(days=rng.randrange(-20, 40))
                batch.append(
                    {
                        "workspace_id": ws,
                        "run_id": r + 1,
                        "step_key": f"s{p}",
                        "position": p,
                        "title": f"Step {p}",
                        "role_key": "writer",
                        "owner_id": owner,
                        "anchor_key": "publish",
                        "hard": False,
                        "depends_on": [],
                        "start_on": due,
                        "due_on": due,
                        "planned_days": 1,
                        "state": state,
                        "state_since": now,
                        "approvals_required": required,
                        "approver_roles": [],
                        "author_may_approve": False,
                        "approval_round": 0,
                        "send_backs": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                if len(batch) >= 20_000:
                    conn.execute(t["tasks"].insert(), batch)
                    batch = []
        if batch:
            conn.execute(t["tasks"].insert(), batch)
        approvals = conn.execute(
            sa.select(t["tasks"].c.id, t["tasks"].c.workspace_id).where(
                t["tasks"].c.approvals_required == 1, t["tasks"].c.owner_id == 2
            )
        ).all()
        conn.execute(
            t["task_approvers"].insert(), [{"workspace_id": w, "task_id": i, "user_id": ME} for i, w in approvals]
        )
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


def _measure(engine, rounds: int, today: date) -> tuple[float, int, int]:
    """Median seconds of the page's reads, the statements it ran, and how many items it found."""
    times, statements, items = [], 0, 0
    for _ in range(rounds):
        with Session(engine) as session, count_statements(engine) as log:
            started = time.perf_counter()
            work = service.my_work(session=session, user_id=ME, workspace_ids=MY_WORKSPACES, today=today)
            times.append(time.perf_counter() - started)
        statements = log.count
        items = sum(len(v) for v in work.buckets().values())
    return statistics.median(times), statements, items


def _database(stack: ExitStack, args, name: str) -> str:
    if args.database_url:
        from bench.scratch_db import scratch_database

        return stack.enter_context(scratch_database(args.database_url, f"bench_my_work_{name}"))
    folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="effekt-bench-"))
    return f"sqlite:///{folder}/tasks.db"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", type=int, default=1_000_000, help="tasks in the big database")
    parser.add_argument("--small", type=int, default=10_000, help="tasks in the small database")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to make scratch databases on")
    args = parser.parse_args()
    today = date.today()
    engines = {}
    with ExitStack() as stack:
        for name, total, workspaces in (("small", args.small, 10), ("big", args.big, 1_000)):
            url = _database(stack, args, name)
            migrations.upgrade(ROOT / "services" / "tasks", url)
            engines[name] = make_engine(url)
            stack.callback(engines[name].dispose)
            t0 = time.perf_counter()
            _seed(engines[name], total, workspaces, today)
            print(
                f"{name}: {total:,} tasks in {workspaces:,} workspaces seeded in {time.perf_counter() - t0:.1f} s",
                flush=True,
            )
        for engine in engines.values():
            _measure(engine, 3, today)  # warm the caches
        # Alternate the two databases round by round, so a busy moment of the machine hits both alike.
        runs = {name: [] for name in engines}
        for _ in range(args.rounds):
            for name, engine in engines.items():
                runs[name].append(_measure(engine, 1, today))
        results = {
            name: (statistics.median(r[0] for r in rows), rows[-1][1], rows[-1][2]) for name, rows in runs.items()
        }
        for name, (seconds, statements, items) in results.items():
            print(f"{name}: My work median {seconds * 1000:.2f} ms, {statements} SQL statements, {items} items")
    assert results["big"][1] == results["small"][1], "the number of statements grew with the data"
    assert results["big"][2] == results["small"][2] == MY_OPEN + MY_APPROVALS
    print(f"ratio: {results['big'][0] / results['small'][0]:.2f}")


if __name__ == "__main__":
    main()
