"""One reminder sweep over a database of 1,000,000 tasks (10,000 reminders due now) against one of 10,000 tasks
(100 due now): the time per due reminder should stay the same (the sweep reads the index of pending rows that
are due, and each due row's task and run by key, never the task table or the sent and cancelled rows).

    .venv/bin/python bench/reminders.py                       # SQLite in a temporary directory
    .venv/bin/python bench/reminders.py --big 200000 --big-due 2000   # smaller (quicker)
    .venv/bin/python bench/reminders.py --database-url postgresql://postgres@127.0.0.1/postgres   # scratch PG dbs

Every task has three rows: one sent and one cancelled in the past (not in the due index) and one pending in the
weeks ahead; the due tasks have one more, due within the last day, of the four kinds in turn (an overdue one also
plans the next day's). A round resets the due rows to pending, then times `sweep()` as the cron runs it (batches
of 500, one transaction each, the Event rows written). Rounds alternate the two databases.

The last line is `ratio: N.NN`: the big database's median (wall-clock) time per due reminder over the small one's
(the goal: at most 1.5). The line before it gives the same ratio of this process's CPU time, which a machine
shared with other work disturbs less (on SQLite the whole sweep, database engine included, runs in-process)."""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from kit import migrations
from kit.db import make_engine
from services.tasks.reminders.sweep import sweep

ROOT = Path(__file__).resolve().parents[1]
TASKS_PER_RUN = 100
KINDS = ["due_48h", "due_24h", "overdue", "escalated"]
STATES = ["waiting", "done", "done", "skipped", "open", "in_progress"]


def _seed(engine, total: int, due: int, workspaces: int, now: datetime) -> None:
    rng = random.Random(11)
    meta = sa.MetaData()
    meta.reflect(engine, only=["workflow_templates", "workflow_versions", "workflow_runs", "tasks", "task_reminders"])
    t = meta.tables
    runs = total // TASKS_PER_RUN
    today = now.date()
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
    due_ids = set(rng.sample(range(1, runs * TASKS_PER_RUN + 1), due))
    sqlite = engine.dialect.name == "sqlite"

    def stamp(v: datetime | date):  # SQLite gets the text SQLAlchemy would write; psycopg adapts the objects
        if not sqlite:
            return v
        return v.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(v, datetime) else v.isoformat()

    at_now = stamp(now)
    days = {d: stamp(today + timedelta(days=d)) for d in range(-3, 30)}
    tasks, rows = [], []
    with engine.begin() as conn:

        def flush(final: bool = False) -> None:
            if tasks and (final or len(tasks) >= 20_000):  # the tasks first: the rows refer to them
                _insert(conn, "tasks", TASK_COLUMNS, tasks, json={"depends_on", "approver_roles"})
                _insert(conn, "task_reminders", ROW_COLUMNS, rows)
                tasks.clear()
                rows.clear()

        task_id = 0
        for r in range(runs):
            ws = 1 + r % workspaces
            for p in range(TASKS_PER_RUN):
                task_id += 1
                is_due = task_id in due_ids
                state = "open" if is_due else rng.choice(STATES)
                due_on = days[rng.randrange(-3, 30)]
                owner = rng.randrange(2, 5000)
                tasks.append(
                    (task_id, ws, r + 1, f"s{p}", p, f"Step {p}", "writer", owner, "publish", False, "[]", due_on,
                     due_on, 1, state, at_now, 0, "[]", False, 0, 0, at_now, at_now)
                )  # fmt: skip
                old = stamp(now - timedelta(days=rng.randrange(3, 60)))
                ahead = stamp(now + timedelta(days=rng.randrange(1, 30), minutes=rng.randrange(600)))
                base = (ws, task_id, r + 1, due_on, 0, "Europe/Oslo", at_now)
                rows.append((*base, "due_48h", 1, old, "sent", None, old))
                rows.append((*base, "overdue", 1, old, "cancelled", None, None))
                rows.append((*base, "escalated", 3, ahead, "pending", None, None))
                if is_due:
                    fire = stamp(now - timedelta(minutes=rng.randrange(1, 1440)))
                    rows.append((*base, KINDS[task_id % 4], 2, fire, "pending", None, None))
                flush()
        flush(final=True)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT setval('tasks_id_seq', (SELECT max(id) FROM tasks))")
            conn.commit()
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")


TASK_COLUMNS = (
    "id workspace_id run_id step_key position title role_key owner_id anchor_key hard depends_on start_on due_on "
    "planned_days state state_since approvals_required approver_roles author_may_approve approval_round send_backs "
    "created_at updated_at"
).split()
ROW_COLUMNS = (
    "workspace_id task_id run_id due_on n zone created_at kind version fire_at state recipient_id sent_at".split()
)


def _insert(conn, table: str, names: list[str], rows: list[tuple], json: frozenset | set = frozenset()) -> None:
    """A plain executemany through the driver: SQLAlchemy's per-row parameter work would dominate the seeding."""
    sqlite = conn.dialect.name == "sqlite"
    marks = ["?" if sqlite else ("%s::json" if n in json else "%s") for n in names]
    conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(marks)})", rows)


def _reset(engine, seeded: int, now: datetime) -> None:
    """Every due row pending again, the rows and events the last sweep wrote gone."""
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM task_events")
        conn.execute(sa.text("DELETE FROM task_reminders WHERE id > :seeded"), {"seeded": seeded})
        conn.execute(
            sa.text(
                "UPDATE task_reminders SET state = 'pending', sent_at = NULL, recipient_id = NULL "
                "WHERE version = 2 AND fire_at <= :now"
            ),
            {"now": now},
        )


def _database(stack: ExitStack, args, name: str) -> str:
    if args.database_url:
        from bench.scratch_db import scratch_database

        return stack.enter_context(scratch_database(args.database_url, f"bench_reminders_{name}"))
    folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="effekt-bench-"))
    return f"sqlite:///{folder}/tasks.db"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", type=int, default=1_000_000, help="tasks in the big database")
    parser.add_argument("--big-due", type=int, default=10_000, help="reminders due now in the big database")
    parser.add_argument("--small", type=int, default=10_000, help="tasks in the small database")
    parser.add_argument("--small-due", type=int, default=100, help="reminders due now in the small database")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server to make scratch databases on")
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    sizes = {"small": (args.small, args.small_due, 10), "big": (args.big, args.big_due, 1_000)}
    engines, seeded = {}, {}
    with ExitStack() as stack:
        for name, (total, due, workspaces) in sizes.items():
            url = _database(stack, args, name)
            migrations.upgrade(ROOT / "services" / "tasks", url)
            engines[name] = make_engine(url)
            stack.callback(engines[name].dispose)
            t0 = time.perf_counter()
            _seed(engines[name], total, due, workspaces, now)
            with engines[name].connect() as conn:
                seeded[name] = conn.exec_driver_sql("SELECT max(id) FROM task_reminders").scalar()
            print(f"{name}: {total:,} tasks, {seeded[name]:,} reminder rows, {due:,} due; seeded in "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)  # fmt: skip
        gc.collect()
        gc.freeze()  # the seeding's objects are not the sweep's garbage to scan
        per_row = {name: [] for name in engines}
        cpu_row = {name: [] for name in engines}
        for round_ in range(args.rounds + 1):  # the first round warms the caches
            for name, engine in engines.items():
                _reset(engine, seeded[name], now)
                gc.collect()
                t0, c0 = time.perf_counter(), time.process_time()
                claimed = sweep(engine, now=now)
                seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
                assert claimed == sizes[name][1], (name, claimed)
                with engine.connect() as conn:
                    events = conn.exec_driver_sql("SELECT count(*) FROM task_events").scalar()
                assert events == claimed, (name, events, claimed)
                if round_:
                    per_row[name].append(seconds / claimed)
                    cpu_row[name].append(cpu / claimed)
        for name, times in per_row.items():
            med, cpu = statistics.median(times), statistics.median(cpu_row[name])
            print(
                f"{name}: one sweep of {sizes[name][1]:,} due reminders, {med * 1e6:.0f} µs per reminder "
                f"(median of {len(times)}; this process's CPU {cpu * 1e6:.0f} µs)"
            )
    cpu_ratio = statistics.median(cpu_row["big"]) / statistics.median(cpu_row["small"])
    print(f"CPU time of this process per reminder, big over small: {cpu_ratio:.2f}")
    print(f"ratio: {statistics.median(per_row['big']) / statistics.median(per_row['small']):.2f}")


if __name__ == "__main__":
    main()
