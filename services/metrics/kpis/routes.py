"""HTTP routes of the metrics service: thin, they parse, call service.py and return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request, Response, status

from kit import references
from kit.deps import OneHopRoute, SessionDep
from kit.fields import MAX_ID
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import ArchivedQuery, IdsQuery, search_query, sorted_page
from services.metrics.kpis import library, service, targets
from services.metrics.kpis.library import KpiFromPreset, KpiPreset
from services.metrics.kpis.models import (
    Category,
    KpiCreate,
    KpiList,
    KpiPublic,
    KpiTargetIn,
    KpiTargetPublic,
    KpiUpdate,
)

router = APIRouter(prefix="/api/v1/kpis", tags=["kpis"], route_class=OneHopRoute)
# Ids in a KPI's body that other services own, asked of them (kit.references).
SURFACE = references.Reference("goals", "/api/v1/surfaces/{id}", "surface of this workspace")
REFERENCES = {"surface_id": SURFACE, "owner_id": references.MEMBER}
NOT_FOUND = {404: {"description": "No such KPI in this workspace"}}
CONFLICT = {409: {"description": "Another active KPI of this workspace has that name"}}
ARCHIVE_CONFLICT = {
    409: {
        "description": "The KPI is used by the formula of an active KPI (archive), or its formula "
        "uses archived KPIs (restore); or its name is taken (restore)"
    }
}


def _public(session, kpi, principal) -> KpiPublic:
    return service.with_figures(session=session, kpis=[kpi], today=principal.today())[0]


@router.get("", response_model=KpiList, summary="List KPIs")
def list_kpis(
    session: SessionDep,
    principal: PrincipalDep,
    page: sorted_page(*service.KPI_SORTS),
    category: Category | None = None,
    surface_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only KPIs of this goals surface")] = None,
    archived: ArchivedQuery = False,
    q: search_query("Name contains") = None,
    ids: IdsQuery = None,
    owner_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only KPIs this user owns")] = None,
    stale: Annotated[
        bool | None,
        Query(description="true: only stale KPIs (no value for the last expected period); false: only fresh ones"),
    ] = None,
):
    rows, total = service.list_kpis(
        session=session,
        workspace_id=principal.workspace_id,
        category=category,
        surface_id=surface_id,
        archived=archived,
        q=q,
        ids=ids,
        owner_id=owner_id,
        stale=stale,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
        today=principal.today(),
    )
    return KpiList.of(service.with_figures(session=session, kpis=rows, today=principal.today()), total, page)


@router.post(
    "", response_model=KpiPublic, status_code=status.HTTP_201_CREATED, responses=CONFLICT, summary="Create a KPI"
)
def create_kpi(data: KpiCreate, session: SessionDep, principal: EditorDep, request: Request):
    """A new KPI; its surface (goals) and owner (a member) are checked with their owners, a 422 naming each."""
    references.verify(request, data, **REFERENCES)
    return _public(
        session, service.create_kpi(session=session, workspace_id=principal.workspace_id, data=data), principal
    )


# Before /{kpi_id}: the library is not a KPI id.
@router.get(
    "/library", response_model=list[KpiPreset], summary="The library of common KPIs", description=library.__doc__
)
def list_kpi_presets(principal: PrincipalDep):
    return library.presets()


@router.post(
    "/library/{key}",
    response_model=KpiPublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"description": "No such preset"}, **CONFLICT},
    summary="Create a KPI from a preset",
)
def create_kpi_from_preset(
    key: Annotated[str, Path(max_length=64)],
    session: SessionDep,
    principal: EditorDep,
    request: Request,
    response: Response,
    data: Annotated[KpiFromPreset | None, Body()] = None,
):
    """A KPI made from a preset of the library, with the changes sent."""
    references.verify(request, data or {}, **REFERENCES)
    kpi = library.create_from_preset(
        session=session, workspace_id=principal.workspace_id, key=key, data=data or KpiFromPreset()
    )
    response.headers["Location"] = f"{router.prefix}/{kpi.id}"
    return _public(session, kpi, principal)


@router.get("/{kpi_id}", response_model=KpiPublic, responses=NOT_FOUND, summary="Get a KPI")
def get_kpi(kpi_id: int, session: SessionDep, principal: PrincipalDep):
    kpi = service.get_kpi(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id)
    return _public(session, kpi, principal)


@router.patch("/{kpi_id}", response_model=KpiPublic, responses={**NOT_FOUND, **CONFLICT}, summary="Change a KPI")
def update_kpi(kpi_id: int, data: KpiUpdate, session: SessionDep, principal: EditorDep, request: Request):
    """Change the fields sent; a new surface or owner is checked as on create."""
    references.verify(request, data, **REFERENCES)
    return _public(
        session,
        service.update_kpi(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id, data=data),
        principal,
    )


@router.post(
    "/{kpi_id}/archive",
    response_model=KpiPublic,
    responses={**NOT_FOUND, **ARCHIVE_CONFLICT},
    summary="Archive a KPI",
    description="Refused (409, naming them) while an active derived KPI's formula uses this KPI: change or "
    "archive those first, so no scorecard silently loses a figure.",
)
def archive_kpi(kpi_id: int, session: SessionDep, principal: EditorDep):
    return _public(
        session,
        service.set_archived(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id, archived=True),
        principal,
    )


@router.post(
    "/{kpi_id}/restore", response_model=KpiPublic, responses={**NOT_FOUND, **ARCHIVE_CONFLICT}, summary="Restore a KPI"
)
def restore_kpi(kpi_id: int, session: SessionDep, principal: EditorDep):
    return _public(
        session,
        service.set_archived(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id, archived=False),
        principal,
    )


@router.get(
    "/{kpi_id}/targets",
    response_model=list[KpiTargetPublic],
    responses=NOT_FOUND,
    summary="List a KPI's targets",
)
def list_kpi_targets(kpi_id: int, session: SessionDep, principal: PrincipalDep):
    return targets.list_targets(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id)


@router.put(
    "/{kpi_id}/targets",
    response_model=list[KpiTargetPublic],
    responses=NOT_FOUND,
    summary="Replace a KPI's targets",
    description="A target per period, or one target with a date (period_start = period_end). Periods must not overlap.",
)
def replace_kpi_targets(
    kpi_id: int, items: Annotated[list[KpiTargetIn], Body(max_length=1000)], session: SessionDep, principal: EditorDep
):
    return targets.replace_targets(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id, items=items)
