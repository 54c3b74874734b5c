"""HTTP routes of measurement cycles: thin, they parse, call the rules and return."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from kit.deps import OneHopRoute, SessionDep
from kit.errors import NotFound, Unavailable, field_error
from kit.fields import FIRST_DAY, LAST_DAY
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import IdQuery, IdsQuery, RequiredIdsQuery, sorted_page
from services.metrics.cycles import review, service, snapshot
from services.metrics.cycles.models import (
    ChangeKind,
    Comparison,
    CycleDetail,
    CycleItemPublic,
    CycleList,
    CycleOpen,
    CycleStatus,
    FindingCreate,
    FindingList,
    FindingPublic,
    FindingUpdate,
    ItemReview,
)

router = APIRouter(prefix="/api/v1/cycles", tags=["cycles"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such cycle (or KPI, or finding) in this workspace"}}
CLOSED = {409: {"description": "The cycle is closed and read-only"}}


def _detail(session, principal, cycle_id: int) -> CycleDetail:
    cycle = service.get_cycle(session=session, workspace_id=principal.workspace_id, cycle_id=cycle_id)
    return service.detail(session=session, cycle=cycle)


def _surface(request: Request, surface_id: int) -> dict[str, Any]:
    """The surface as the goals service shows it to this caller; NotFound naming surface_id if it has none."""
    client = getattr(request.app.state, "internal", None)
    if client is None:
        raise Unavailable("The goals service cannot be asked: no internal client is configured.")
    code, body = client.get(request, "goals", f"/api/v1/surfaces/{surface_id}")
    if code == 404:
        raise NotFound(
            f"No surface {surface_id} in this workspace.",
            errors=[field_error("surface_id", f"no surface {surface_id} in this workspace")],
        )
    if code != 200 or not isinstance(body, dict):
        raise Unavailable(f"The goals service did not show surface {surface_id} ({code}).")
    return body


@router.get("", response_model=CycleList, summary="List measurement cycles")
def list_cycles(
    session: SessionDep,
    principal: PrincipalDep,
    page: sorted_page(*service.CYCLE_SORTS),
    surface_id: IdQuery = None,
    status: CycleStatus | None = None,
):
    rows, total = service.list_cycles(
        session=session,
        workspace_id=principal.workspace_id,
        surface_id=surface_id,
        status=status,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
    )
    return CycleList.of(service.summaries(session, rows), total, page)


@router.post(
    "",
    response_model=CycleDetail,
    status_code=status.HTTP_201_CREATED,
    responses={
        404: {"description": "No such surface in this workspace"},
        409: {"description": "A cycle covers this period already (its id in detail and Location)"},
    },
    summary="Open a cycle by hand",
    description="Freezes the snapshot of the surface's KPIs and the workspace-wide ones for the period: "
    "period_start if given (a start of one of the surface's cadence periods), else the "
    "current period (ending at the next measurement) or, with period=latest_ended, the "
    "most recent one that has ended.",
)
def open_cycle(data: CycleOpen, request: Request, session: SessionDep, principal: EditorDep):
    surface = _surface(request, data.surface_id)
    cycle = snapshot.open_for_surface(
        session=session,
        workspace_id=principal.workspace_id,
        surface=surface,
        opened_by=principal.user_id,
        period_start=data.period_start,
        period=data.period,
        today=principal.today(),
    )
    return service.detail(session=session, cycle=cycle)


@router.get(
    "/findings",
    response_model=FindingList,
    summary="List findings across cycles",
    description="What reviews found, newest first: the action list picks them up from here.",
)
def list_findings(
    session: SessionDep,
    principal: PrincipalDep,
    page: sorted_page(*service.FINDING_SORTS),
    cycle_id: IdQuery = None,
    surface_id: IdQuery = None,
    kpi_id: IdQuery = None,
    change_kind: ChangeKind | None = None,
    cycle_status: CycleStatus | None = None,
    since: Annotated[
        date | None, Query(ge=FIRST_DAY, le=LAST_DAY, description="Cycles whose period starts on or after")
    ] = None,
    ids: IdsQuery = None,
):
    rows, total = service.list_findings(
        session=session,
        workspace_id=principal.workspace_id,
        cycle_id=cycle_id,
        surface_id=surface_id,
        kpi_id=kpi_id,
        change_kind=change_kind,
        cycle_status=cycle_status,
        since=since,
        ids=ids,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
    )
    return FindingList.of(rows, total, page)


@router.get("/compare", response_model=Comparison, responses=NOT_FOUND, summary="Compare cycles side by side")
def compare_cycles(session: SessionDep, principal: PrincipalDep, ids: RequiredIdsQuery):
    return service.compare(session=session, workspace_id=principal.workspace_id, ids=ids)


@router.get("/{cycle_id}", response_model=CycleDetail, responses=NOT_FOUND, summary="Get a cycle with its snapshot")
def get_cycle(cycle_id: int, session: SessionDep, principal: PrincipalDep):
    return _detail(session, principal, cycle_id)


@router.get(
    "/{cycle_id}/export.csv",
    responses={**NOT_FOUND, 200: {"content": {"text/csv": {}}}},
    response_class=Response,
    summary="Export a cycle's snapshot as CSV",
)
def export_cycle_csv(cycle_id: int, session: SessionDep, principal: PrincipalDep):
    cycle, text = service.export_csv(session=session, workspace_id=principal.workspace_id, cycle_id=cycle_id)
    name = f"cycle-{cycle.id}-{cycle.period_start.isoformat()}.csv"
    return Response(
        text, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.delete(
    "/{cycle_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**NOT_FOUND, **CLOSED},
    summary="Delete an open cycle",
    description="For a cycle opened by mistake; a closed cycle is kept.",
)
def delete_cycle(cycle_id: int, session: SessionDep, principal: EditorDep):
    review.delete_cycle(session=session, workspace_id=principal.workspace_id, cycle_id=cycle_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{cycle_id}/refresh",
    response_model=CycleDetail,
    responses={**NOT_FOUND, **CLOSED},
    summary="Freeze an open cycle's figures again (late data)",
    description="Notes, root causes and findings stay; KPIs added since come in.",
)
def refresh_cycle(cycle_id: int, session: SessionDep, principal: EditorDep):
    cycle = service.get_cycle(session=session, workspace_id=principal.workspace_id, cycle_id=cycle_id)
    fresh = snapshot.refresh(session=session, cycle=cycle, today=principal.today())
    return service.detail(session=session, cycle=fresh)


@router.patch(
    "/{cycle_id}/items/{kpi_id}",
    response_model=CycleItemPublic,
    responses={**NOT_FOUND, **CLOSED},
    summary="Write a KPI's analysis note or root cause",
)
def review_cycle_item(cycle_id: int, kpi_id: int, data: ItemReview, session: SessionDep, principal: EditorDep):
    item = review.review_item(
        session=session,
        workspace_id=principal.workspace_id,
        cycle_id=cycle_id,
        kpi_id=kpi_id,
        data=data,
        user_id=principal.user_id,
    )
    return service.item_public(item)


def _finding(session, principal, cycle_id: int, finding) -> FindingPublic:
    cycle = service.get_cycle(session=session, workspace_id=principal.workspace_id, cycle_id=cycle_id)
    names = {i.kpi_id: i.name for i in service.items_of(session, cycle.id)} if finding.kpi_id else {}
    return service.finding_public(finding, cycle, names.get(finding.kpi_id))


@router.post(
    "/{cycle_id}/findings",
    response_model=FindingPublic,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CLOSED},
    summary="Record a finding",
)
def add_finding(cycle_id: int, data: FindingCreate, session: SessionDep, principal: EditorDep):
    finding = review.add_finding(
        session=session, workspace_id=principal.workspace_id, cycle_id=cycle_id, data=data, user_id=principal.user_id
    )
    return _finding(session, principal, cycle_id, finding)


@router.patch(
    "/{cycle_id}/findings/{finding_id}",
    response_model=FindingPublic,
    responses={**NOT_FOUND, **CLOSED},
    summary="Change a finding",
)
def update_finding(cycle_id: int, finding_id: int, data: FindingUpdate, session: SessionDep, principal: EditorDep):
    finding = review.update_finding(
        session=session, workspace_id=principal.workspace_id, cycle_id=cycle_id, finding_id=finding_id, data=data
    )
    return _finding(session, principal, cycle_id, finding)


@router.delete(
    "/{cycle_id}/findings/{finding_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**NOT_FOUND, **CLOSED},
    summary="Remove a finding",
)
def delete_finding(cycle_id: int, finding_id: int, session: SessionDep, principal: EditorDep):
    review.delete_finding(
        session=session, workspace_id=principal.workspace_id, cycle_id=cycle_id, finding_id=finding_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{cycle_id}/close",
    response_model=CycleDetail,
    responses={
        **NOT_FOUND,
        **CLOSED,
        422: {"description": "Off-track KPIs lack a root cause: errors[] names items.<kpi_id>.root_cause for each"},
    },
    summary="Close a cycle",
    description="A closed cycle is read-only.",
)
def close_cycle(cycle_id: int, session: SessionDep, principal: EditorDep):
    cycle = review.close_cycle(
        session=session, workspace_id=principal.workspace_id, cycle_id=cycle_id, user_id=principal.user_id
    )
    return service.detail(session=session, cycle=cycle)
