"""HTTP routes of notifications: the caller's own inbox (with the text in their language) and preferences.

Personal, so a viewer may mark their own notifications read and choose their own email; nobody sees another's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from kit.deps import OneHopRoute, SessionDep
from kit.fields import Id
from kit.identity import PrincipalDep
from kit.pagination import PageDep
from services.tasks.config import settings
from services.tasks.notifications import messages, service
from services.tasks.notifications.models import (
    NotificationList,
    NotificationPublic,
    PreferencesPublic,
    PreferencesUpdate,
    UnreadCount,
)

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such notification of yours"}}
Lang = Annotated[str, Query(max_length=8, pattern=r"^[A-Za-z-]*$", description="Language of the text (en, nb, sv, fi)")]


def _public(event, lang: str) -> NotificationPublic:
    return NotificationPublic(
        id=event.id,
        kind=event.kind,
        text=messages.text(event.kind, event.params, lang),
        link=event.link,
        run_id=event.run_id,
        task_id=event.task_id,
        created_at=event.created_at,
        read_at=event.read_at,
    )


@router.get("", response_model=NotificationList, operation_id="listNotifications", summary="My notifications")
def list_notifications(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    lang: Lang = "en",
    unread: Annotated[bool, Query(description="Only the unread ones")] = False,
):
    ids = dict(session=session, workspace_id=principal.workspace_id, user_id=principal.user_id)
    rows, total = service.list_inbox(**ids, unread_only=unread, limit=page.limit, offset=page.offset)
    result = NotificationList.of([_public(e, lang) for e in rows], total, page)
    result.unread = service.unread_count(**ids)
    return result


@router.get(
    "/unread-count", response_model=UnreadCount, operation_id="countUnreadNotifications", summary="My unread count"
)
def unread_count(session: SessionDep, principal: PrincipalDep):
    count = service.unread_count(session=session, workspace_id=principal.workspace_id, user_id=principal.user_id)
    return UnreadCount(count=count)


@router.post(
    "/read-all", response_model=UnreadCount, operation_id="markAllNotificationsRead", summary="Mark all mine read"
)
def mark_all_read(session: SessionDep, principal: PrincipalDep):
    service.mark_all_read(session=session, workspace_id=principal.workspace_id, user_id=principal.user_id)
    return UnreadCount(count=0)


@router.get(
    "/preferences",
    response_model=PreferencesPublic,
    operation_id="getNotificationPreferences",
    summary="My email choices and quiet hours",
)
def get_preferences(session: SessionDep, principal: PrincipalDep):
    prefs = service.preferences(session=session, workspace_id=principal.workspace_id, user_id=principal.user_id)
    return PreferencesPublic(**prefs, email_enabled=bool(settings().smtp_host))


@router.put(
    "/preferences",
    response_model=PreferencesPublic,
    operation_id="setNotificationPreferences",
    summary="Choose email per event kind (at once, daily digest, off) and quiet hours",
)
def set_preferences(data: PreferencesUpdate, session: SessionDep, principal: PrincipalDep):
    prefs = service.set_preferences(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, data=data
    )
    return PreferencesPublic(**prefs, email_enabled=bool(settings().smtp_host))


@router.get(
    "/{event_id}",
    response_model=NotificationPublic,
    responses=NOT_FOUND,
    operation_id="getNotification",
    summary="One of my notifications",
)
def get_notification(event_id: Id, session: SessionDep, principal: PrincipalDep, lang: Lang = "en"):
    ids = dict(session=session, workspace_id=principal.workspace_id, user_id=principal.user_id)
    return _public(service.get_mine(**ids, event_id=event_id), lang)


@router.post(
    "/{event_id}/read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
    operation_id="markNotificationRead",
    summary="Mark one of mine read",
)
def mark_read(event_id: Id, session: SessionDep, principal: PrincipalDep):
    service.mark_read(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, event_id=event_id
    )
