"""arq jobs of connectors: the cron that finds due connectors, and the pull of one connector for one run key.

Exactly once, in layers: the cron gives each due slot a job id of its own (arq keeps one job per id, however
many workers run the cron), and the pull claims its run key with a unique row before it calls the vendor (a job
that arrives twice, or a cron that raced, finds the key taken and stops). The claim also moves the connector's
next slot, so the next minute's cron no longer sees it as due."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kit.fields import utcnow
from kit.queue import queue_name
from services.metrics.connectors import runner
from services.metrics.connectors.models import Connector, State, Trigger
from services.metrics.connectors.schedule import slot_key
from services.metrics.connectors.service import get_connector
from services.metrics.db import create_engine_from_settings

log = logging.getLogger("effekt.metrics.connectors")
DUE_BATCH = 500


@lru_cache
def _engine() -> Engine:
    return create_engine_from_settings()


def _engine_of(ctx: dict[str, Any]) -> Engine:
    return ctx.get("metrics_engine") or _engine()


def due(engine: Engine, now: datetime) -> list[tuple[int, datetime]]:
    """(connector id, slot) of every connector whose slot has come and that is not paused."""
    with Session(engine) as session:
        rows = session.exec(
            select(Connector.id, Connector.next_run_at)
            .where(col(Connector.next_run_at) <= now, Connector.state != State.paused)
            .order_by(col(Connector.next_run_at))
            .limit(DUE_BATCH)
        ).all()
    return [(connector_id, slot) for connector_id, slot in rows]


async def enqueue_due_connectors(ctx: dict[str, Any]) -> int:
    """Cron: queue one pull per due connector and slot; how many were due."""
    slots = await asyncio.to_thread(due, _engine_of(ctx), utcnow())
    for connector_id, slot in slots:
        key = slot_key(slot)
        await ctx["redis"].enqueue_job(
            "pull_connector",
            connector_id,
            key,
            Trigger.schedule.value,
            _job_id=f"pull_connector:{connector_id}:{key}",
            _queue_name=queue_name("metrics"),
        )
    return len(slots)


async def pull_connector(ctx: dict[str, Any], connector_id: int, run_key: str, trigger: str = "schedule") -> int | None:
    """Run the connector for this key (once); the run's id, or None if the key ran elsewhere."""
    run = await runner.pull(_engine_of(ctx), connector_id, run_key=run_key, trigger=Trigger(trigger))
    if run is None:
        log.info("connector %s run %s: already claimed", connector_id, run_key)
        return None
    return run.id


async def check_runnable(engine: Engine, workspace_id: int, connector_id: int) -> None:
    """NotFound unless the connector is the workspace's (before a manual run is queued)."""

    def look(session_engine: Engine) -> None:
        with Session(session_engine) as session:
            get_connector(session=session, workspace_id=workspace_id, connector_id=connector_id)

    await asyncio.to_thread(look, engine)


FUNCTIONS = [pull_connector, enqueue_due_connectors]
