"""HTTP routes of activity: what the tasks service told metrics about the workspace's own work, month by month."""

from __future__ import annotations

from fastapi import APIRouter

from kit.deps import OneHopRoute, SessionDep
from kit.identity import PrincipalDep
from kit.pagination import PageDep
from services.tasks.activity import service
from services.tasks.activity.models import FigureList, FigurePublic

router = APIRouter(prefix="/api/v1/task-activity", tags=["activity"], route_class=OneHopRoute)


@router.get(
    "",
    response_model=FigureList,
    operation_id="listTaskActivity",
    summary="The workspace's activity figures as published to metrics (runs finished, tasks done, hours, cost)",
)
def list_published(session: SessionDep, principal: PrincipalDep, page: PageDep):
    rows, total = service.published(session, principal.workspace_id, limit=page.limit, offset=page.offset)
    return FigureList.of([FigurePublic.model_validate(r, from_attributes=True) for r in rows], total, page)
