"""HTTP routes of the goal tree: thin, they parse, call service.py and return.

Progress and status in every answer are computed (see progress.py); the rules are in
the description of each read endpoint."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status

from kit import references
from kit.deps import OneHopRoute, SessionDep
from kit.fields import MAX_ID
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import ArchivedQuery, PageDep, search_query, sorted_page
from services.goals.goals import history, moves, reads, service
from services.goals.goals.metrics_client import MetricsKpis
from services.goals.goals.models import GoalCreate, GoalLevel, GoalMove, GoalUpdate, KpiLinkIn
from services.goals.goals.progress import RULES
from services.goals.goals.schemas import GoalDetail, GoalEventList, GoalEventPublic, GoalList, GoalTree

router = APIRouter(prefix="/api/v1/goals", tags=["goals"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such goal in this workspace"}}
INVALID = {
    422: {
        "description": "Invalid input, naming the field (level, parent_id, period_to, surface_ids, "
        "kpis.<index>.kpi_id, …); nothing was changed"
    }
}
UNAVAILABLE = {503: {"description": "The metrics service could not check the KPIs; nothing was changed"}}
WRITE = {**NOT_FOUND, **INVALID}
GoalId = Annotated[int, Path(ge=1, le=MAX_ID)]
KpiId = Annotated[int, Path(ge=1, le=MAX_ID)]
ParentQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only the children of this goal")]
SurfaceQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only goals tied to this surface")]


async def kpi_source(request: Request) -> MetricsKpis:
    """The caller's view of metrics' KPIs for this request (asked at most once per 500 KPIs)."""
    return MetricsKpis(getattr(request.app.state, "internal", None), request)


MetricsDep = Annotated[MetricsKpis, Depends(kpi_source)]


def _ask_first(session, principal, goal_id: int, metrics: MetricsKpis) -> None:
    reads.ask_kpis_first(session=session, workspace_id=principal.workspace_id, goal_id=goal_id, kpis=metrics)


def _detail(session, principal, goal_id: int, metrics: MetricsKpis) -> GoalDetail:
    return reads.goal_detail(session=session, workspace_id=principal.workspace_id, goal_id=goal_id, kpis=metrics)


@router.get("", response_model=GoalList, summary="List goals", description=RULES)
def list_goals(
    session: SessionDep,
    principal: PrincipalDep,
    page: sorted_page(*reads.GOAL_SORTS),
    metrics: MetricsDep,
    level: GoalLevel | None = None,
    parent_id: ParentQuery = None,
    surface_id: SurfaceQuery = None,
    archived: ArchivedQuery = False,
    q: search_query("Title contains") = None,
):
    rows, total, unavailable = reads.list_goals(
        session=session,
        workspace_id=principal.workspace_id,
        kpis=metrics,
        level=level,
        parent_id=parent_id,
        surface_id=surface_id,
        archived=archived,
        q=q,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
    )
    return GoalList.of(rows, total, page, kpis_unavailable=unavailable)


@router.get("/tree", response_model=GoalTree, summary="The goal tree, nested", description=RULES)
def get_goal_tree(session: SessionDep, principal: PrincipalDep, metrics: MetricsDep, archived: ArchivedQuery = False):
    return reads.goal_tree(session=session, workspace_id=principal.workspace_id, archived=archived, kpis=metrics)


@router.post(
    "",
    response_model=GoalDetail,
    status_code=status.HTTP_201_CREATED,
    responses={**INVALID, **UNAVAILABLE},
    summary="Create a goal",
)
def create_goal(data: GoalCreate, session: SessionDep, principal: EditorDep, metrics: MetricsDep, request: Request):
    """A new goal; its owner must be a member of the workspace and its KPIs the workspace's."""
    references.verify(request, data, owner_id=references.MEMBER)
    goal = service.create_goal(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, data=data, metrics=metrics
    )
    return _detail(session, principal, goal.id, metrics)


@router.get("/{goal_id}", response_model=GoalDetail, responses=NOT_FOUND, summary="Get a goal", description=RULES)
def get_goal(goal_id: GoalId, session: SessionDep, principal: PrincipalDep, metrics: MetricsDep):
    return _detail(session, principal, goal_id, metrics)


@router.patch("/{goal_id}", response_model=GoalDetail, responses={**WRITE, **UNAVAILABLE}, summary="Change a goal")
def update_goal(
    goal_id: GoalId, data: GoalUpdate, session: SessionDep, principal: EditorDep, metrics: MetricsDep, request: Request
):
    """Change the fields sent; a new owner must be a member of the workspace."""
    references.verify(request, data, owner_id=references.MEMBER)
    _ask_first(session, principal, goal_id, metrics)
    service.update_goal(
        session=session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        goal_id=goal_id,
        data=data,
        metrics=metrics,
    )
    return _detail(session, principal, goal_id, metrics)


@router.post(
    "/{goal_id}/move",
    response_model=GoalDetail,
    responses=WRITE,
    summary="Move a goal (with its subtree) or reorder it among its siblings",
)
def move_goal(goal_id: GoalId, data: GoalMove, session: SessionDep, principal: EditorDep, metrics: MetricsDep):
    _ask_first(session, principal, goal_id, metrics)
    moves.move_goal(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, goal_id=goal_id, data=data
    )
    return _detail(session, principal, goal_id, metrics)


@router.post(
    "/{goal_id}/archive",
    response_model=GoalDetail,
    responses=NOT_FOUND,
    summary="Archive a goal and all its descendants",
)
def archive_goal(goal_id: GoalId, session: SessionDep, principal: EditorDep, metrics: MetricsDep):
    _ask_first(session, principal, goal_id, metrics)
    moves.set_archived(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, goal_id=goal_id, archived=True
    )
    return _detail(session, principal, goal_id, metrics)


@router.post(
    "/{goal_id}/restore",
    response_model=GoalDetail,
    responses=WRITE,
    summary="Restore a goal and all its descendants (its parent must be active)",
)
def restore_goal(goal_id: GoalId, session: SessionDep, principal: EditorDep, metrics: MetricsDep):
    _ask_first(session, principal, goal_id, metrics)
    moves.set_archived(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, goal_id=goal_id, archived=False
    )
    return _detail(session, principal, goal_id, metrics)


@router.post(
    "/{goal_id}/kpis",
    response_model=GoalDetail,
    responses={**WRITE, **UNAVAILABLE},
    summary="Link a KPI to a goal, or change the weight of its link",
)
def link_goal_kpi(goal_id: GoalId, link: KpiLinkIn, session: SessionDep, principal: EditorDep, metrics: MetricsDep):
    _ask_first(session, principal, goal_id, metrics)
    service.link_kpi(
        session=session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        goal_id=goal_id,
        link=link,
        metrics=metrics,
    )
    return _detail(session, principal, goal_id, metrics)


@router.delete(
    "/{goal_id}/kpis/{kpi_id}", response_model=GoalDetail, responses=NOT_FOUND, summary="Unlink a KPI from a goal"
)
def unlink_goal_kpi(goal_id: GoalId, kpi_id: KpiId, session: SessionDep, principal: EditorDep, metrics: MetricsDep):
    _ask_first(session, principal, goal_id, metrics)
    service.unlink_kpi(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, goal_id=goal_id, kpi_id=kpi_id
    )
    return _detail(session, principal, goal_id, metrics)


@router.get(
    "/{goal_id}/history",
    response_model=GoalEventList,
    responses=NOT_FOUND,
    summary="The changes of a goal, newest first",
)
def list_goal_history(goal_id: GoalId, session: SessionDep, principal: PrincipalDep, page: PageDep):
    rows, total = history.list_history(
        session=session, workspace_id=principal.workspace_id, goal_id=goal_id, limit=page.limit, offset=page.offset
    )
    return GoalEventList.of([GoalEventPublic.model_validate(e, from_attributes=True) for e in rows], total, page)
