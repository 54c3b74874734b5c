"""The inbox and the preferences of one person in one workspace. Never commits (the route's session does)."""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from kit.errors import Invalid, NotFound, field_error
from kit.fields import utcnow
from kit.query import select_page
from services.tasks.events.models import Event, EventKind
from services.tasks.notifications.models import (
    EmailMode,
    KindPreference,
    NotificationPreference,
    NotificationSettings,
    PreferencesUpdate,
)

DEFAULT_EMAIL = EmailMode.immediate


def _mine(workspace_id: int, user_id: int) -> list:
    return [Event.workspace_id == workspace_id, Event.recipient_id == user_id]


def list_inbox(
    *, session: Session, workspace_id: int, user_id: int, unread_only: bool, limit: int, offset: int
) -> tuple[list[Event], int]:
    where = _mine(workspace_id, user_id) + ([col(Event.read_at).is_(None)] if unread_only else [])
    order = [col(Event.created_at).desc(), col(Event.id).desc()]
    return select_page(session, Event, where, order, limit=limit, offset=offset)


def unread_count(*, session: Session, workspace_id: int, user_id: int) -> int:
    query = select(func.count()).select_from(Event).where(*_mine(workspace_id, user_id), col(Event.read_at).is_(None))
    return session.exec(query).one()


def get_mine(*, session: Session, workspace_id: int, user_id: int, event_id: int) -> Event:
    """One of the caller's notifications; another person's (or workspace's) is a 404, as if it did not exist."""
    event = session.get(Event, event_id)
    if event is None or event.workspace_id != workspace_id or event.recipient_id != user_id:
        raise NotFound("No such notification.")
    return event


def mark_read(*, session: Session, workspace_id: int, user_id: int, event_id: int) -> Event:
    """Mark one of the caller's notifications read (again is a no-op)."""
    event = get_mine(session=session, workspace_id=workspace_id, user_id=user_id, event_id=event_id)
    if event.read_at is None:
        event.read_at = utcnow()
        session.add(event)
        session.flush()
    return event


def mark_all_read(*, session: Session, workspace_id: int, user_id: int) -> int:
    result = session.exec(
        update(Event).where(*_mine(workspace_id, user_id), col(Event.read_at).is_(None)).values(read_at=utcnow())
    )
    return result.rowcount or 0


def email_modes(*, session: Session, workspace_id: int, user_id: int) -> dict[EventKind, EmailMode]:
    rows = session.exec(
        select(NotificationPreference).where(
            NotificationPreference.workspace_id == workspace_id, NotificationPreference.user_id == user_id
        )
    ).all()
    chosen = {row.kind: row.email for row in rows}
    return {kind: chosen.get(kind, DEFAULT_EMAIL) for kind in EventKind}


def quiet_hours(*, session: Session, workspace_id: int, user_id: int) -> tuple[time | None, time | None]:
    row = _settings_row(session, workspace_id, user_id)
    return (row.quiet_start, row.quiet_end) if row else (None, None)


def _settings_row(session: Session, workspace_id: int, user_id: int) -> NotificationSettings | None:
    return session.exec(
        select(NotificationSettings).where(
            NotificationSettings.workspace_id == workspace_id, NotificationSettings.user_id == user_id
        )
    ).first()


def preferences(*, session: Session, workspace_id: int, user_id: int) -> dict:
    modes = email_modes(session=session, workspace_id=workspace_id, user_id=user_id)
    start, end = quiet_hours(session=session, workspace_id=workspace_id, user_id=user_id)
    kinds = [KindPreference(kind=kind, email=mode) for kind, mode in modes.items()]
    return {"kinds": kinds, "quiet_start": start, "quiet_end": end}


def set_preferences(*, session: Session, workspace_id: int, user_id: int, data: PreferencesUpdate) -> dict:
    """Save the kinds given (others keep their choice) and the quiet hours (both times, or neither)."""
    errors = []
    if (data.quiet_start is None) != (data.quiet_end is None):
        missing = "quiet_end" if data.quiet_end is None else "quiet_start"
        errors.append(field_error(missing, "Give both the start and the end of the quiet hours, or neither."))
    elif data.quiet_start is not None and data.quiet_start == data.quiet_end:
        errors.append(field_error("quiet_end", "The quiet hours must end at another time than they start."))
    seen = set()
    for i, item in enumerate(data.kinds):
        if item.kind in seen:
            errors.append(field_error(f"kinds.{i}.kind", "Each event kind may be given once."))
        seen.add(item.kind)
    if errors:
        raise Invalid("The notification preferences are not valid.", errors=errors)
    existing = {
        row.kind: row
        for row in session.exec(
            select(NotificationPreference).where(
                NotificationPreference.workspace_id == workspace_id, NotificationPreference.user_id == user_id
            )
        ).all()
    }
    now = utcnow()
    for item in data.kinds:
        row = existing.get(item.kind) or NotificationPreference(
            workspace_id=workspace_id, user_id=user_id, kind=item.kind, email=item.email
        )
        row.email, row.updated_at = item.email, now
        session.add(row)
    settings = _settings_row(session, workspace_id, user_id) or NotificationSettings(
        workspace_id=workspace_id, user_id=user_id
    )
    settings.quiet_start, settings.quiet_end, settings.updated_at = data.quiet_start, data.quiet_end, now
    session.add(settings)
    session.flush()
    return preferences(session=session, workspace_id=workspace_id, user_id=user_id)
