"""arq jobs of webhooks: every few seconds fan new events out to endpoints, then send what is due.

Each step is safe to run in any number of workers at once (unique deliveries, claimed sends), so the cron's own
uniqueness is a saving, not the guarantee. A test event or a replay also queues `send_webhooks` at once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from arq import cron
from arq.cron import CronJob
from sqlalchemy.engine import Engine
from sqlmodel import Session

from kit.db import in_session
from kit.fields import utcnow
from services.tasks.db import create_engine_from_settings
from services.tasks.webhooks import deliver, fanout, service
from services.tasks.webhooks.config import settings

TICK_SECONDS = set(range(0, 60, 5))


@lru_cache
def _engine() -> Engine:
    return create_engine_from_settings()


def _engine_of(ctx: dict[str, Any]) -> Engine:
    return ctx.get("tasks_engine") or _engine()


def fan_out_now(engine: Engine, now: Callable[[], datetime] = utcnow) -> int:
    with Session(engine) as session:
        return fanout.fan_out(session, now())


async def run_webhooks(engine: Engine, *, now: Callable[[], datetime] = utcnow, **options: Any) -> int:
    """Fan out, then send until nothing is due; how many attempts were made."""
    await asyncio.to_thread(fan_out_now, engine, now)
    return await deliver.send_due(engine, now=now, **options)


async def send_webhooks(ctx: dict[str, Any]) -> int:
    return await run_webhooks(_engine_of(ctx))


async def webhook_retention(ctx: dict[str, Any]) -> int:
    """Daily: finished deliveries older than the kept days leave the log."""
    before = utcnow() - timedelta(days=settings().webhook_keep_days)
    return await asyncio.to_thread(
        in_session, _engine_of(ctx), lambda s: service.erase_old_deliveries(session=s, before=before)
    )


def retention_cron() -> CronJob:
    return cron(webhook_retention, name="cron:tasks:webhook-retention", hour={3}, minute={37}, unique=True)


def webhooks_cron() -> CronJob:
    return cron(send_webhooks, name="cron:tasks:webhooks", second=TICK_SECONDS, unique=True, run_at_startup=True)
