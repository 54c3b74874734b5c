"""The tasks worker's cron that hands changed activity figures to the metrics worker's queue (arq).

A change is queued with a job id naming its figure and version, and remembered as published only once Redis took
it: a change is queued until it is taken, and never twice; metrics applies a version once (and no older one)."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

from arq import cron
from arq.cron import CronJob
from sqlmodel import Session

from kit.queue import REDIS_DOWN, queue_name
from services.tasks.activity import service
from services.tasks.db import create_engine_from_settings

log = logging.getLogger("effekt.tasks.activity")
JOB = "record_activity"  # the metrics worker's function


@lru_cache
def _engine():
    return create_engine_from_settings()


def _changes(engine, workspace_ids: list[int] | None):
    with Session(engine, expire_on_commit=False) as session:
        return service.changes(session, workspace_ids)


def _mark(engine, figure) -> None:
    with Session(engine) as session:
        service.mark_published(session, figure)
        session.commit()


async def publish_activity(ctx: dict[str, Any], workspace_ids: list[int] | None = None) -> int:
    """Queue every changed figure for metrics; how many were queued."""
    engine = ctx.get("tasks_engine") or _engine()
    changed = await asyncio.to_thread(_changes, engine, workspace_ids)
    sent = 0
    for figure in changed:
        try:
            await ctx["redis"].enqueue_job(
                JOB,
                figure.workspace_id,
                figure.measure,
                figure.key,
                figure.month.isoformat(),
                figure.value,
                figure.version,
                _job_id=service.job_id(figure),
                _queue_name=queue_name("metrics"),
            )
        except REDIS_DOWN as exc:  # the next run queues what is left
            log.warning("activity: Redis is away (%s); %d changes wait", exc, len(changed) - sent)
            break
        await asyncio.to_thread(_mark, engine, figure)
        sent += 1
    if sent:
        log.info("activity: queued %d changed figures for metrics", sent)
    return sent


def publish_cron() -> CronJob:
    return cron(
        publish_activity,
        name="cron:tasks:publish_activity",
        minute=set(range(0, 60, 5)),
        second=20,
        unique=True,
        run_at_startup=True,
    )
