"""Queueing import runs, and queueing again the ones whose job was lost while Redis was away.

The route queues a run after its commit; when Redis is unreachable then, the import stays `queued` with no job.
The metrics worker's cron (every 10 s, and at once when the worker starts, as it does when Redis is back) finds
queued imports no worker has taken for QUEUE_GRACE and queues them again. The job id is the run's own (import,
its creation, attempt), so a job still waiting in Redis is never doubled, and a run started meanwhile is not
run twice: the job checks the attempt and the status before it starts (jobs._begin)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from arq import cron
from arq.cron import CronJob
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kit.fields import utcnow
from kit.queue import queue_name
from services.metrics.imports.models import ImportStatus, ObservationImport
from services.metrics.imports.service import QUEUE_GRACE

log = logging.getLogger("effekt.metrics.imports")
BATCH = 500


def run_job_id(import_id: int, created: datetime, attempt: int) -> str:
    # created_at in the job id too: ids start again in a fresh database while Redis remembers job ids
    return f"run_import:{import_id}:{int(created.timestamp() * 1_000_000)}:{attempt}"


async def enqueue_run(queue, import_id: int, attempt: int, created: datetime) -> bool:
    """Queue one run; False (logged) when Redis is unreachable: the requeue cron queues it later."""
    try:
        await queue.enqueue_job(
            "run_import",
            import_id,
            attempt,
            _job_id=run_job_id(import_id, created, attempt),
            _queue_name=queue_name("metrics"),
        )
    except Exception as exc:
        log.warning("could not queue import %s now (%s); it is queued again when Redis is back", import_id, exc)
        return False
    return True


def waiting(engine: Engine) -> list[tuple[int, int, datetime]]:
    """(id, attempt, created_at) of the queued imports no worker has taken for QUEUE_GRACE, oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(ObservationImport.id, ObservationImport.attempt, ObservationImport.created_at)
            .where(ObservationImport.status == ImportStatus.queued)
            .where(ObservationImport.updated_at < utcnow() - QUEUE_GRACE)
            .order_by(col(ObservationImport.updated_at))
            .limit(BATCH)
        ).all()
    return [tuple(r) for r in rows]


async def requeue_imports(ctx: dict[str, Any]) -> int:
    """arq cron: queue again the runs whose job was lost; how many were looked at."""
    from services.metrics.imports.jobs import _engine

    engine = ctx.get("metrics_engine") or _engine()
    rows = await asyncio.to_thread(waiting, engine)
    for import_id, attempt, created in rows:
        await enqueue_run(ctx["redis"], import_id, attempt, created)
    if rows:
        log.info("queued %d waiting imports again", len(rows))
    return len(rows)


def requeue_cron() -> CronJob:
    return cron(
        requeue_imports,
        name="cron:metrics:requeue_imports",
        second=set(range(5, 60, 10)),  # every 10 s: a lost run waits at most QUEUE_GRACE + 10 s
        unique=True,
        run_at_startup=True,
    )
