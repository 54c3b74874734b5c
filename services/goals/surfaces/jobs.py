"""arq jobs of surfaces: when a surface's period ends, ask metrics to open its cycle."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlmodel import Session, select

from kit.dates import CADENCE_MONTHS, add_months, next_period_end
from kit.db import in_session
from kit.queue import queue_name
from services.goals.db import create_engine_from_settings
from services.goals.surfaces.models import Surface


@lru_cache
def _engine():
    return create_engine_from_settings()


def ended_period(anchor: date, cadence: str, today: date) -> tuple[date, date] | None:
    """The surface's most recent cadence period that has ended by `today`, as [start, last day]; None if none."""
    if anchor > today:
        return None
    step = CADENCE_MONTHS[cadence]
    end = next_period_end(anchor, cadence, today)  # the current period's end
    n = ((end.year - anchor.year) * 12 + end.month - anchor.month) // step
    if n < 2:
        return None
    return add_months(anchor, (n - 2) * step), add_months(anchor, (n - 1) * step) - timedelta(days=1)


def due_cycles(session: Session, today: date) -> list[tuple[str, tuple]]:
    """(job id, open_cycle arguments) for every active surface whose latest period has ended: one query."""
    rows = session.exec(
        select(
            Surface.workspace_id, Surface.id, Surface.name, Surface.cadence, Surface.period_start, Surface.created_at
        ).where(Surface.archived.is_(False))
    ).all()  # noqa: E712
    due = []
    for workspace_id, surface_id, name, cadence, anchor, created in rows:
        period = ended_period(anchor, cadence.value, today)
        if period is not None:
            # created_at too: ids start again in a restored or fresh database, while Redis remembers job ids
            job_id = f"open_cycle:{workspace_id}:{surface_id}:{int(created.timestamp())}:{period[0].isoformat()}"
            due.append(
                (job_id, (workspace_id, surface_id, name, cadence.value, period[0].isoformat(), period[1].isoformat()))
            )
    return due


async def schedule_cycles(ctx: dict[str, Any]) -> int:
    """Ask the metrics worker to open each due cycle; a job id per surface and period keeps it to one job."""
    engine = ctx.get("goals_engine") or _engine()
    due = await asyncio.to_thread(in_session, engine, due_cycles, ctx.get("today") or date.today())
    for job_id, args in due:
        await ctx["redis"].enqueue_job("open_cycle", *args, _job_id=job_id, _queue_name=queue_name("metrics"))
    return len(due)


FUNCTIONS = [schedule_cycles]
