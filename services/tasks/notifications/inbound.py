"""Events other services owe people, taken from the tasks queue (the metrics outbox pushes them there).

Only the kinds another service may send are taken; each is recorded with events.record(), which never records a
key twice for one recipient, so a job that arrives twice (an outbox pushed again after a crash) adds nothing."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.tasks.events.models import EventKind
from services.tasks.events.service import record
from services.tasks.notifications.jobs import _engine

log = logging.getLogger("effekt.tasks.notifications")
FROM_METRICS = {
    EventKind.cycle_opened,
    EventKind.kpi_stale,
    EventKind.import_finished,
    EventKind.import_failed,
    EventKind.connector_failing,
}


def take(engine, payload: dict[str, Any]) -> bool:
    """Record one event from another service; False when it is refused or already recorded."""
    try:
        kind = EventKind(payload["kind"])
        workspace_id, recipient_id, key = int(payload["workspace_id"]), int(payload["recipient_id"]), payload["key"]
    except (KeyError, ValueError, TypeError):
        log.warning("refused an event from another service: %r", payload)
        return False
    if kind not in FROM_METRICS or not isinstance(key, str) or not key:
        log.warning("refused an event of kind %s from another service", kind)
        return False
    link = payload.get("link")
    link = link if isinstance(link, str) and link.startswith("/") and not link.startswith("//") else None
    params = payload.get("params") if isinstance(payload.get("params"), dict) else {}
    with Session(engine) as session:
        event = record(
            session=session,
            workspace_id=workspace_id,
            recipient_id=recipient_id,
            kind=kind,
            key=key[:160],
            link=link[:300] if link else None,
            params={str(k)[:40]: str(v)[:300] for k, v in params.items() if v is not None},
        )
        try:
            session.commit()
        except IntegrityError:  # the same key, recorded by a twin job a moment ago
            session.rollback()
            return False
    return event is not None


async def record_metrics_events(ctx: dict[str, Any], payload: dict[str, Any]) -> bool:
    """arq job (queued by the metrics outbox): record one event."""
    return await asyncio.to_thread(take, ctx.get("tasks_engine") or _engine(), payload)
