"""The arq job the tasks service's cron enqueues on the metrics queue: one published activity figure."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from functools import lru_cache
from typing import Any

from kit.db import in_session
from services.metrics.activity import service
from services.metrics.activity.models import ActivityMeasure
from services.metrics.db import create_engine_from_settings

log = logging.getLogger("effekt.metrics.activity")


@lru_cache
def _engine():
    return create_engine_from_settings()


async def record_activity(
    ctx: dict[str, Any],
    workspace_id: int,
    measure: str,
    key: int,
    month: str,
    value: float | None,
    version: int,
) -> bool:
    """Apply the figure (once per version) and fill the KPIs that take it; whether it changed anything."""
    engine = ctx.get("metrics_engine") or _engine()
    try:
        what = ActivityMeasure(measure)
    except ValueError:
        log.warning("activity: unknown measure %r ignored", measure)
        return False
    return await asyncio.to_thread(
        in_session,
        engine,
        lambda session: service.record(
            session,
            workspace_id=workspace_id,
            measure=what,
            key=int(key),
            month=date.fromisoformat(month),
            value=None if value is None else float(value),
            version=int(version),
        ),
    )


async def fill_activity_months(ctx: dict[str, Any]) -> int:
    """The daily cron: a month that passed (or began) with no activity gets its 0 even when nothing is published."""
    engine = ctx.get("metrics_engine") or _engine()
    filled = await asyncio.to_thread(in_session, engine, service.fill_all_empty_months)
    log.info("activity: %s empty months filled with 0", filled)
    return filled
