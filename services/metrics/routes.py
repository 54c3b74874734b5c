"""HTTP routes of the metrics service: thin, they parse, call service.py and return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from kit.fields import MAX_ID
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import ArchivedQuery, IdsQuery, PageDep
from services.metrics import service
from services.metrics.db import SessionDep
from services.metrics.models import Category, KpiCreate, KpiList, KpiPublic, KpiUpdate

router = APIRouter(prefix="/api/v1/kpis", tags=["kpis"])
NOT_FOUND = {404: {"description": "No such KPI in this workspace"}}
CONFLICT = {409: {"description": "Another active KPI of this workspace has that name"}}


def _public(session, kpi) -> KpiPublic:
    return service.with_figures(session=session, kpis=[kpi])[0]


@router.get("", response_model=KpiList, summary="List KPIs")
def list_kpis(session: SessionDep, principal: PrincipalDep, page: PageDep,
              category: Category | None = None,
              surface_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only KPIs of this goals surface")] = None,
              archived: ArchivedQuery = False,
              q: Annotated[str | None, Query(max_length=200, description="Name contains")] = None,
              ids: IdsQuery = None):
    rows, total = service.list_kpis(session=session, workspace_id=principal.workspace_id, category=category,
                                    surface_id=surface_id, archived=archived, q=q, ids=ids, sort=page.sort,
                                    limit=page.limit, offset=page.offset)
    return KpiList.of(service.with_figures(session=session, kpis=rows), total, page)


@router.post("", response_model=KpiPublic, status_code=status.HTTP_201_CREATED, responses=CONFLICT,
             summary="Create a KPI")
def create_kpi(data: KpiCreate, session: SessionDep, principal: EditorDep):
    return _public(session, service.create_kpi(session=session, workspace_id=principal.workspace_id, data=data))


@router.get("/{kpi_id}", response_model=KpiPublic, responses=NOT_FOUND, summary="Get a KPI")
def get_kpi(kpi_id: int, session: SessionDep, principal: PrincipalDep):
    kpi = service.get_kpi(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id)
    return _public(session, kpi)


@router.patch("/{kpi_id}", response_model=KpiPublic, responses={**NOT_FOUND, **CONFLICT}, summary="Change a KPI")
def update_kpi(kpi_id: int, data: KpiUpdate, session: SessionDep, principal: EditorDep):
    return _public(session, service.update_kpi(session=session, workspace_id=principal.workspace_id,
                                                kpi_id=kpi_id, data=data))


@router.post("/{kpi_id}/archive", response_model=KpiPublic, responses=NOT_FOUND, summary="Archive a KPI")
def archive_kpi(kpi_id: int, session: SessionDep, principal: EditorDep):
    return _public(session, service.set_archived(session=session, workspace_id=principal.workspace_id,
                                                  kpi_id=kpi_id, archived=True))


@router.post("/{kpi_id}/restore", response_model=KpiPublic, responses={**NOT_FOUND, **CONFLICT},
             summary="Restore a KPI")
def restore_kpi(kpi_id: int, session: SessionDep, principal: EditorDep):
    return _public(session, service.set_archived(session=session, workspace_id=principal.workspace_id,
                                                  kpi_id=kpi_id, archived=False))
