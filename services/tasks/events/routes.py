"""HTTP routes of in-app events: the caller's own."""

from __future__ import annotations

from fastapi import APIRouter

from kit.deps import OneHopRoute, SessionDep
from kit.identity import PrincipalDep
from kit.pagination import PageDep
from services.tasks.events import service
from services.tasks.events.models import EventList, EventPublic

router = APIRouter(prefix="/api/v1/task-events", tags=["task events"], route_class=OneHopRoute)


@router.get("", response_model=EventList, operation_id="listTaskEvents", summary="My in-app events, newest first")
def list_events(session: SessionDep, principal: PrincipalDep, page: PageDep):
    rows, total = service.list_events(
        session=session,
        workspace_id=principal.workspace_id,
        recipient_id=principal.user_id,
        limit=page.limit,
        offset=page.offset,
    )
    return EventList.of([EventPublic.model_validate(e, from_attributes=True) for e in rows], total, page)
