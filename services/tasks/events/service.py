"""Writing and reading in-app events. Never commits: an event is part of the change it tells of."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from kit.query import select_page
from services.tasks.events.models import Event, EventKind


def record(
    *,
    session: Session,
    workspace_id: int,
    recipient_id: int | None,
    kind: EventKind,
    run_id: int | None = None,
    task_id: int | None = None,
    actor_id: int | None = None,
    key: str | None = None,
    link: str | None = None,
    params: dict[str, Any] | None = None,
) -> Event | None:
    """Add one event for `recipient_id` (none when nobody holds the role, or when `key` is already theirs)."""
    if recipient_id is None:
        return None
    if key is not None:
        seen = select(Event.id).where(
            Event.workspace_id == workspace_id, Event.recipient_id == recipient_id, Event.key == key
        )
        if session.exec(seen).first() is not None:
            return None
    event = Event(
        workspace_id=workspace_id,
        recipient_id=recipient_id,
        kind=kind,
        run_id=run_id,
        task_id=task_id,
        actor_id=actor_id,
        key=key,
        link=link,
        params=params or {},
    )
    session.add(event)
    return event


def list_events(
    *, session: Session, workspace_id: int, recipient_id: int, limit: int, offset: int
) -> tuple[list[Event], int]:
    """The recipient's events in the workspace, newest first."""
    where = [Event.workspace_id == workspace_id, Event.recipient_id == recipient_id]
    order = [col(Event.created_at).desc(), col(Event.id).desc()]
    return select_page(session, Event, where, order, limit=limit, offset=offset)
