"""arq job and cron of reminders: the sweep, every `EFFEKT_TASKS_REMINDER_SWEEP_SECONDS` (60 by default).

The cron is `unique` (one job per tick however many workers run it); the sweep's claim makes it exactly once
anyway, so a job that runs twice, a manual run, or a worker killed and restarted never sends a row twice."""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

from arq import cron
from arq.cron import CronJob
from sqlalchemy.engine import Engine

from services.tasks.config import settings
from services.tasks.db import create_engine_from_settings
from services.tasks.reminders.sweep import sweep


@lru_cache
def _engine() -> Engine:
    return create_engine_from_settings()


async def sweep_reminders(ctx: dict[str, Any]) -> int:
    """Fire the due reminder rows; how many were claimed."""
    engine = ctx.get("tasks_engine") or _engine()
    return await asyncio.to_thread(sweep, engine, batch=settings().reminder_batch)


def sweep_seconds(every: int) -> set[int]:
    """The seconds of a minute at which the cron runs: every `every` seconds (at least 1, at most once a minute)."""
    every = min(max(every, 1), 60)
    return set(range(0, 60, every)) if every < 60 else {20}


def reminders_cron() -> CronJob:
    return cron(
        sweep_reminders,
        name="cron:tasks:reminders",
        second=sweep_seconds(settings().reminder_sweep_seconds),
        unique=True,
        run_at_startup=True,
        timeout=600,
    )
