"""The arq job that opens a measurement cycle on schedule (the goals service's cron enqueues it)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from functools import lru_cache
from typing import Any

from kit.db import in_session
from services.metrics.cycles import snapshot
from services.metrics.db import create_engine_from_settings

log = logging.getLogger("effekt.metrics.cycles")


@lru_cache
def _engine():
    return create_engine_from_settings()


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


async def open_cycle(
    ctx: dict[str, Any],
    workspace_id: int,
    surface_id: int,
    surface_name: str,
    cadence: str,
    period_start: date | str,
    period_end: date | str,
) -> int:
    """Open the surface's cycle for the period (nothing if it is open already); the cycle's id."""
    engine = ctx.get("metrics_engine") or _engine()

    def run(session):
        return snapshot.open_cycle(
            session=session,
            workspace_id=workspace_id,
            surface_id=surface_id,
            surface_name=surface_name,
            cadence=cadence,
            period_start=_as_date(period_start),
            period_end=_as_date(period_end),
        )

    cycle, created = await asyncio.to_thread(in_session, engine, run)
    log.info(
        "cycle %s of surface %s from %s %s",
        cycle.id,
        surface_id,
        period_start,
        "opened" if created else "was open already",
    )
    return cycle.id
