"""The cron that pushes the outbox to the tasks service's queue (its worker records the events).

The queue holds a row while the tasks worker is down; while Redis is down the row stays here and is tried again
with a back-off. A row pushed twice (a crash between the push and marking it) is recorded once: the tasks side
keys events by (workspace, recipient, key), and arq keeps one job per job id."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from kit.fields import utcnow
from kit.queue import REDIS_DOWN, queue_name
from services.metrics.db import create_engine_from_settings
from services.metrics.outbox import service
from services.metrics.outbox.models import NotificationOutbox

log = logging.getLogger("effekt.metrics.outbox")
BATCH = 200
TASKS_JOB = "record_metrics_events"  # services/tasks/notifications/inbound.py


@lru_cache
def _engine() -> Engine:
    return create_engine_from_settings()


def _due(engine: Engine, now):
    with Session(engine, expire_on_commit=False) as session:
        return service.due(session, now, BATCH)


def job_id(row) -> str:
    """One job per outbox row; its creation time in the id, so a fresh database's row 1 is never mistaken for
    another database's row 1 that Redis still remembers (arq keeps a finished job's id for an hour)."""
    return f"metrics-notify:{row.id}:{row.created_at.strftime('%Y%m%dT%H%M%S%f')}"


async def push_notifications(ctx: dict[str, Any]) -> int:
    """Cron: queue each due outbox row as a job of the tasks worker; how many went."""
    engine = ctx.get("metrics_engine") or _engine()
    now = utcnow()
    rows = await asyncio.to_thread(_due, engine, now)
    done: list[int] = []
    failed: list[tuple[int, str]] = []
    for row in rows:
        payload = {
            "workspace_id": row.workspace_id,
            "recipient_id": row.recipient_id,
            "kind": row.kind,
            "key": row.key,
            "link": row.link,
            "params": row.params,
        }
        try:
            await ctx["redis"].enqueue_job(TASKS_JOB, payload, _job_id=job_id(row), _queue_name=queue_name("tasks"))
            done.append(row.id)
        except REDIS_DOWN as exc:
            failed.append((row.id, str(exc) or type(exc).__name__))
            break  # Redis is away: the rest waits for the next round

    def settle() -> None:
        with Session(engine) as session:
            service.pushed(session, done, now)
            for row_id, error in failed:
                row = session.get(NotificationOutbox, row_id)
                if row is not None:
                    service.failed(session, row, now, error)
            session.commit()

    await asyncio.to_thread(settle)
    if failed:
        log.warning("notification outbox: %s pushed, then Redis was away: %s", len(done), failed[0][1])
    return len(done)
