"""Exactly once, as real processes: two `effekt worker tasks` with the reminder cron every second, a sweep of
the test's own running at the same time, one worker killed (SIGKILL) while rows were left and started again,
and Redis killed and started again. Every due reminder becomes exactly one Event (counted per key), and none
is written for a task finished or re-dated before its time. Runs on SQLite and, with EFFEKT_TEST_DATABASE_URL,
on PostgreSQL (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import subprocess
import threading
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from services.tasks.events.models import Event
from services.tasks.reminders import service as reminders
from services.tasks.reminders.models import Reminder, ReminderState
from services.tasks.reminders.sweep import sweep
from services.tasks.tasks.models import Task, TaskState
from services.tasks.tests.workflow_support import ANNA, BEN, NO, PUBLISH, start_blog
from tests.processes import EFFEKT, OwnRedis, clean_env, until

START = datetime(2026, 5, 4, 12, tzinfo=UTC)
DUE = date(2026, 5, 27)  # long past when the test runs: every row of this deadline is due at once
PER_TASK = 4  # due in 48 h, in 24 h, overdue (its next day's row is in the future), escalated


def add_tasks(engine, run_id: int, prefix: str, count: int) -> dict[str, list[int]]:
    """`count` open tasks due on DUE with their rows; a sixth finished and a sixth re-dated afterwards."""
    out: dict[str, list[int]] = {"live": [], "finished": [], "moved": []}
    with Session(engine, expire_on_commit=False) as s:
        for i in range(count):
            t = Task(
                workspace_id=1,
                run_id=run_id,
                step_key=f"{prefix}{i}",
                position=100 + i,
                title=f"Step {prefix}{i}",
                role_key="content",
                owner_id=(ANNA, BEN)[i % 2],
                anchor_key="publish",
                start_on=DUE,
                due_on=DUE,
                state=TaskState.open,
            )
            s.add(t)
            s.flush()
            reminders.sync(s, t, now=START, cal=NO)
            if i % 6 == 1:
                t.state = TaskState.done
                reminders.sync(s, t, now=START, cal=NO)
                out["finished"].append(t.id)
            elif i % 6 == 2:
                t.due_on = date(2027, 9, 1)  # far ahead: its new rows are not due
                reminders.sync(s, t, now=START, cal=NO)
                out["moved"].append(t.id)
            else:
                out["live"].append(t.id)
        s.commit()
    return out


def due_left(engine) -> int:
    with Session(engine) as s:
        now = datetime.now(UTC)
        q = select(func.count()).select_from(Reminder)
        return s.exec(q.where(Reminder.state == ReminderState.pending, col(Reminder.fire_at) <= now)).one()


def sent(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Reminder).where(Reminder.state == ReminderState.sent)).one()


class Worker:
    def __init__(self, name: str, tmp: Path, db_url: str, redis: OwnRedis):
        self.log = tmp / f"{name}.log"
        env = clean_env(
            tmp / "data",
            EFFEKT_TASKS_DATABASE_URL=db_url,
            REDIS_URL=redis.url,
            EFFEKT_TASKS_REMINDER_SWEEP_SECONDS="1",
            EFFEKT_TASKS_REMINDER_BATCH="2",
        )
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [EFFEKT, "worker", "tasks"], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.mark.slow
def test_every_due_reminder_is_written_once_through_kills_and_a_redis_restart(engine, tmp_path):
    db_url = engine.url.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://")
    with Session(engine, expire_on_commit=False) as s:
        _, run = start_blog(s, PUBLISH, now=START)
        s.commit()
    first = add_tasks(engine, run.id, "a", 300)
    redis = OwnRedis(tmp_path).start()
    workers = [Worker("a", tmp_path, db_url, redis), Worker("b", tmp_path, db_url, redis)]
    stop = threading.Event()
    own_sweeps = Counter()

    def own_cron():  # the test's sweep, racing the workers' crons
        while not stop.is_set():
            own_sweeps["rows"] += sweep(engine, batch=2)
            stop.wait(0.05)

    racer = threading.Thread(target=own_cron, daemon=True)
    try:
        until(lambda: sent(engine) >= 10, 120, "the workers to start sweeping", every=0.01)
        racer.start()
        assert due_left(engine) > 0, "the sweep ended before a worker could be killed in the middle of it"
        workers[0].kill()  # mid-sweep: its open batch rolls back, its rows stay pending for the others
        until(lambda: due_left(engine) == 0, 120, "the first tasks' reminders to be swept")
        stop.set()
        racer.join(timeout=60)
        # Redis goes away and comes back empty; the killed worker starts again; new deadlines fall due.
        redis.kill()
        redis.start()
        workers[0] = Worker("a2", tmp_path, db_url, redis)
        second = add_tasks(engine, run.id, "b", 60)
        until(lambda: due_left(engine) == 0, 120, "the reminders due after the Redis restart to be swept")
    finally:
        stop.set()
        for w in workers:
            w.stop()
        redis.stop()

    with Session(engine) as s:
        events = s.exec(select(Event).where(col(Event.key).like("reminder:%"))).all()
        rows = s.exec(select(Reminder)).all()
    keys = Counter(e.key for e in events)
    sent_rows = [r for r in rows if r.state == ReminderState.sent]
    live = set(first["live"] + second["live"])
    assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1]
    assert set(keys) == {f"reminder:{r.id}" for r in sent_rows}
    assert len(events) == PER_TASK * len(live) + PER_TASK  # and the blog's own first step
    quiet = set(first["finished"] + first["moved"] + second["finished"] + second["moved"])
    assert not [e for e in events if e.task_id in quiet], "a finished or re-dated task was reminded"
    assert {e.task_id for e in events} == live | {min(r.task_id for r in rows)}
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("*.log"))
    assert "IntegrityError" not in logs, logs[-4000:]
    # A job that ends while Redis is down logs arq's traceback of the refused connection: the restart is the
    # test's own doing. Any other traceback is a fault.
    tracebacks = [line for line in logs.splitlines() if "Traceback" in line]
    assert all("redis.exceptions.ConnectionError" in line for line in tracebacks), tracebacks[-3:]
    print(
        f"\n[exactly once] {len(events)} reminders, each key once; {sum(keys.values())} events, "
        f"{len(quiet)} tasks finished or re-dated got none; the test's own sweep took {own_sweeps['rows']} rows"
    )
