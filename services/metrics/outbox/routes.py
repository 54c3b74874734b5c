"""HTTP route of the notification outbox: how many notifications of the workspace wait for the tasks service."""

from __future__ import annotations

from fastapi import APIRouter

from kit.deps import OneHopRoute, SessionDep
from kit.fields import utcnow
from kit.identity import AdminDep
from services.metrics.outbox import service
from services.metrics.outbox.models import OutboxStatus

router = APIRouter(prefix="/api/v1/notification-outbox", tags=["notifications"], route_class=OneHopRoute)


@router.get(
    "",
    response_model=OutboxStatus,
    operation_id="getNotificationOutbox",
    summary="Notifications waiting to reach the inbox",
    description="The metrics service's notifications (cycle opened, KPI stale, import finished) of this workspace "
    "that the tasks queue has not taken yet, the oldest, and the last error; admins only.",
)
def outbox_status(session: SessionDep, principal: AdminDep):
    return OutboxStatus(**service.status(session, principal.workspace_id, utcnow()))
