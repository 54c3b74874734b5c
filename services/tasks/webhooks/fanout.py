"""Fan-out: one delivery per enabled endpoint and occurrence, read from the Event rows (the outbox).

An occurrence is the event's key, or "event:<id>" for an event without one: recipients of the same occurrence
share it, so an endpoint gets one message however many people heard of it. New events are read past a cursor
(the highest event id read); the last LATE_IDS ids below it, if younger than LOOKBACK, are read again, so an
event whose transaction committed after a higher id was read is not missed. The unique (endpoint, occurrence)
makes every read idempotent: two workers fanning out at once insert each delivery once (INSERT … ON CONFLICT
DO NOTHING)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from kit.dates import as_utc
from services.tasks.events.models import Event
from services.tasks.webhooks import payloads
from services.tasks.webhooks.config import settings
from services.tasks.webhooks.models import FanoutCursor, WebhookDelivery, WebhookEndpoint
from services.tasks.webhooks.service import new_message_id

LOOKBACK = timedelta(minutes=10)
LATE_IDS = 5000  # how far below the cursor late commits are looked for (a primary-key range, never a scan)
BATCH = 2000


def occurrence_of(event: Event) -> str:
    return event.key or f"event:{event.id}"


def _insert(session: Session, table):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _events(session: Session, now: datetime) -> tuple[list[Event], int]:
    cursor = session.get(FanoutCursor, 1)
    last = cursor.last_event_id if cursor else 0
    fresh = session.exec(select(Event).where(col(Event.id) > last).order_by(col(Event.id)).limit(BATCH)).all()
    late = session.exec(
        select(Event)
        .where(col(Event.id) > last - LATE_IDS, col(Event.id) <= last, col(Event.created_at) >= now - LOOKBACK)
        .limit(BATCH)
    ).all()
    return [*late, *fresh], max([last, *(event.id for event in fresh)])


def _data(events: list[Event], public_url: str) -> dict:
    first = events[0]
    link = first.link
    return {
        "workspaceId": first.workspace_id,
        "occurrence": occurrence_of(first),
        "kind": first.kind.value,
        "runId": first.run_id,
        "taskId": first.task_id,
        "actorId": first.actor_id,
        "recipientIds": sorted({event.recipient_id for event in events}),
        "link": link,
        "url": public_url.rstrip("/") + link if link else None,
        "params": first.params or {},
    }


def fan_out(session: Session, now: datetime) -> int:
    """Write the deliveries of every event not yet fanned out; how many were written. Commits."""
    events, last = _events(session, now)
    groups: dict[tuple[int, str], list[Event]] = defaultdict(list)
    for event in events:
        groups[(event.workspace_id, occurrence_of(event))].append(event)
    written = 0
    if groups:
        workspaces = {workspace for workspace, _ in groups}
        endpoints = session.exec(
            select(WebhookEndpoint).where(col(WebhookEndpoint.workspace_id).in_(workspaces), WebhookEndpoint.enabled)
        ).all()
        by_workspace: dict[int, list[WebhookEndpoint]] = defaultdict(list)
        for endpoint in endpoints:
            by_workspace[endpoint.workspace_id].append(endpoint)
        ids = [endpoint.id for endpoint in endpoints]
        done = set()
        if ids:
            occurrences = {occurrence for _, occurrence in groups}
            done = set(session.exec(
                select(WebhookDelivery.endpoint_id, WebhookDelivery.occurrence).where(
                    col(WebhookDelivery.endpoint_id).in_(ids), col(WebhookDelivery.occurrence).in_(occurrences)
                )
            ).all())  # fmt: skip
        public_url = settings().public_url
        for (workspace_id, occurrence), group in groups.items():
            first = min(group, key=lambda event: event.id)
            event_type = payloads.EVENT_TYPES.get(first.kind, first.kind.value)
            for endpoint in by_workspace.get(workspace_id, []):
                if (endpoint.id, occurrence) in done or as_utc(first.created_at) < as_utc(endpoint.active_since):
                    continue
                if endpoint.event_kinds and first.kind.value not in endpoint.event_kinds:
                    continue
                row = {
                    "workspace_id": workspace_id,
                    "endpoint_id": endpoint.id,
                    "occurrence": occurrence,
                    "message_id": new_message_id(),
                    "event_type": event_type,
                    "payload": {
                        "type": event_type,
                        "timestamp": payloads.timestamp_of(as_utc(first.created_at)),
                        "data": _data(group, public_url),
                    },
                    "state": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                statement = _insert(session, WebhookDelivery.__table__).values(**row)
                result = session.execute(statement.on_conflict_do_nothing(index_elements=["endpoint_id", "occurrence"]))
                written += result.rowcount or 0
    _advance(session, last)
    session.commit()
    return written


def _advance(session: Session, last: int) -> None:
    session.execute(
        _insert(session, FanoutCursor.__table__).values(id=1, last_event_id=0).on_conflict_do_nothing(
            index_elements=["id"]
        )
    )  # fmt: skip
    table = FanoutCursor.__table__
    session.execute(update(table).where(table.c.id == 1, table.c.last_event_id < last).values(last_event_id=last))
