"""KPI stale: once a day, the owner of each KPI that has missed its expected period hears of it, once per gap.

The key holds the latest observation's period start ("kpi:3:stale:2026-10-01"): the same gap is told once, and a
new value that goes stale again is a new occurrence. A KPI that never had a value is stale once it has existed
longer than the horizon (a KPI made today is not late yet)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kit.dates import as_utc
from kit.db import in_session
from kit.fields import utcnow
from services.metrics.kpis.figures import last_observed
from services.metrics.kpis.models import Kpi
from services.metrics.kpis.periods import stale_since
from services.metrics.outbox import service
from services.metrics.outbox.jobs import _engine


def tell_stale(session: Session, today: date) -> int:
    """Queue "KPI stale" for each owned, stale KPI not yet told for its current gap; how many were looked at."""
    kpis = session.exec(
        select(Kpi).where(
            Kpi.archived == False,  # noqa: E712
            col(Kpi.owner_id).is_not(None),
            col(Kpi.expected_frequency).is_not(None),
        )
    ).all()
    last = last_observed(session, [k.id for k in kpis]) if kpis else {}
    for kpi in kpis:
        horizon = stale_since(kpi.expected_frequency.value, today)
        seen = last.get(kpi.id)
        reference = seen or as_utc(kpi.created_at).date()
        if reference >= horizon:
            continue
        service.notify(
            session,
            workspace_id=kpi.workspace_id,
            recipient_id=kpi.owner_id,
            kind="kpi_stale",
            key=f"kpi:{kpi.id}:stale:{seen.isoformat() if seen else 'none'}",
            link=f"/kpis/{kpi.id}",
            params={"kpi": kpi.name, "last": seen.isoformat() if seen else None},
        )
    return len(kpis)


async def notify_stale_kpis(ctx: dict[str, Any]) -> int:
    """Cron (daily): tell_stale for today (UTC)."""
    engine: Engine = ctx.get("metrics_engine") or _engine()
    return await asyncio.to_thread(in_session, engine, tell_stale, utcnow().date())
