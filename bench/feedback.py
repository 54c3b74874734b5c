"""Dissatisfaction KPIs at 500,000 feedback items: feed.compute for 24 months against the one SQL aggregate that
counts the same, and the inbox's first page in a constant number of statements.

    .venv/bin/python bench/feedback.py                  # SQLite in a temporary directory, 500,000 items
    .venv/bin/python bench/feedback.py --items 100000 --rounds 3
    .venv/bin/python bench/feedback.py --database-url postgresql+psycopg://...   (a server; a scratch database)

The last line is `ratio: N.NN` = the KPIs' time ÷ the single aggregate's time (goal: ≤ 2.0).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import services.metrics.models  # noqa: E402,F401
from kit.db import make_engine  # noqa: E402
from services.metrics.db import MetricsModel  # noqa: E402
from services.metrics.feedback import builtin, feed, service  # noqa: E402
from services.metrics.feedback.models import Channel, FeedbackItem, FeedbackKind, Sentiment  # noqa: E402

WS = 1
START = date(2025, 1, 1)


def fill(engine, n: int) -> None:
    """n items over 24 months, across channels, kinds, sentiments and the seven built-in categories."""
    with Session(engine) as s:
        service.categories(session=s, workspace_id=WS)
        s.commit()
    rng = random.Random(12)
    channels, kinds, sentiments = list(Channel), list(FeedbackKind), list(Sentiment)
    table = FeedbackItem.__table__
    now = datetime.now(UTC)
    batch = []
    with engine.begin() as conn:
        for i in range(n):
            received = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(730 * 24 * 60))
            answered = received + timedelta(hours=rng.random() * 30) if rng.random() < 0.9 else None
            due = received + timedelta(hours=4)
            batch.append(
                {
                    "workspace_id": WS,
                    "channel": rng.choice(channels).name,
                    "kind": rng.choice(kinds).name,
                    "sentiment": rng.choice(sentiments).name,
                    "category_id": rng.randint(1, 7),
                    "text": "t",
                    "received_at": received,
                    "received_month": received.date().replace(day=1),
                    "state": "answered",
                    "due_at": due,
                    "first_answered_at": answered,
                    "first_answer_hours": (answered - received).total_seconds() / 3600 if answered else None,
                    "within_target": (answered <= due) if answered else None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) == 5000 or i == n - 1:
                conn.execute(sa.insert(table), batch)
                batch = []


def single_aggregate(session: Session) -> list:
    """The baseline: one GROUP BY month, category and channel counting items, complaints and negatives."""
    t = FeedbackItem
    return session.execute(
        sa.select(
            t.received_month,
            t.category_id,
            t.channel,
            sa.func.count(),
            sa.func.sum(sa.case((t.kind == FeedbackKind.complaint, 1), else_=0)),
            sa.func.sum(sa.case((t.sentiment == Sentiment.negative, 1), else_=0)),
        )
        .where(t.workspace_id == WS)
        .group_by(t.received_month, t.category_id, t.channel)
    ).all()


def timed(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    if args.database_url:
        from scratch_db import scratch_database

        where = scratch_database(args.database_url, "effekt_bench_feedback")
    else:
        where = nullcontext(f"sqlite:///{tempfile.mkdtemp(prefix='effekt-bench-')}/metrics.db")
    with where as url:
        engine = make_engine(url)
        MetricsModel.metadata.create_all(engine)
        started = time.perf_counter()
        fill(engine, args.items)
        print(f"filled {args.items:,} items in {time.perf_counter() - started:.1f} s ({engine.dialect.name})")
        if engine.dialect.name == "postgresql":  # what autovacuum does to a table this size: index-only scans work
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE feedback_items")
        with Session(engine) as s:
            specs = [spec for spec, _ in builtin.create_builtin(session=s, workspace_id=WS)]
            s.commit()
            print(f"{len(specs)} built-in KPIs")
            base = timed(lambda: single_aggregate(s), args.rounds)
            kpis = timed(lambda: feed.compute(s, WS, specs, None, multiplier=20), args.rounds)
            counted: list[str] = []
            sa.event.listen(engine, "before_cursor_execute", lambda *a: counted.append(a[2]))
            for _ in range(2):
                service.list_items(session=s, workspace_id=WS, filters={}, limit=50)
            inbox = timed(lambda: service.list_items(session=s, workspace_id=WS, filters={}, limit=50), args.rounds)
        engine.dispose()
    print(f"single aggregate (24 months): {base * 1000:.0f} ms")
    print(f"dissatisfaction KPIs (24 months, {len(specs)} KPIs): {kpis * 1000:.0f} ms")
    print(f"inbox first page: {inbox * 1000:.0f} ms, {len(counted) // 2} statements a page")
    print(f"ratio: {kpis / base:.2f}")


if __name__ == "__main__":
    main()
