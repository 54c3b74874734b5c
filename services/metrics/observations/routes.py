"""HTTP routes of observations: push one or a batch, list, delete, export a KPI's values as CSV."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from kit.deps import OneHopRoute, SessionDep
from kit.fields import FIRST_DAY, LAST_DAY
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import sorted_page
from services.metrics.observations import service
from services.metrics.observations.models import (
    MAX_OBSERVATION_ID,
    BatchResult,
    ObservationBatch,
    ObservationCreate,
    ObservationList,
    ObservationPublic,
    ObservationPushed,
    Period,
)

router = APIRouter(tags=["observations"], route_class=OneHopRoute)
URL = "/api/v1/observations"
NOT_FOUND = {404: {"description": "No such observation, or KPI, in this workspace"}}


@router.post(
    URL,
    response_model=ObservationPushed,
    status_code=status.HTTP_201_CREATED,
    summary="Push an observation",
    responses={
        200: {"model": ObservationPushed, "description": "Replaced the value for the same KPI, period and source"}
    },
)
def push_observation(data: ObservationCreate, response: Response, session: SessionDep, principal: EditorDep):
    """The total for the period (not an increment); pushing the same KPI, period and source again replaces it."""
    row, replaced = service.push_observation(session=session, workspace_id=principal.workspace_id, data=data)
    if replaced:
        response.status_code = status.HTTP_200_OK
    return service.to_pushed(row, replaced)


@router.post(f"{URL}/batch", response_model=BatchResult, summary="Push a batch of observations")
def push_observations(data: ObservationBatch, session: SessionDep, principal: EditorDep):
    """All or nothing: every item is checked first and every bad one named (observations.<index>.<field>)."""
    created, replaced = service.push_batch(session=session, workspace_id=principal.workspace_id, raw=data.observations)
    return BatchResult(created=created, replaced=replaced)


@router.get(URL, response_model=ObservationList, responses=NOT_FOUND, summary="List observations")
def list_observations(
    session: SessionDep,
    principal: PrincipalDep,
    page: sorted_page(*service.OBSERVATION_SORTS),
    kpi_id: Annotated[int | None, Query(description="Only this KPI's observations")] = None,
    period: Period | None = None,
    date_from: Annotated[
        date | None, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY, description="Period start on or after")
    ] = None,
    date_to: Annotated[
        date | None, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY, description="Period start on or before")
    ] = None,
):
    rows, total = service.list_observations(
        session=session,
        workspace_id=principal.workspace_id,
        kpi_id=kpi_id,
        period=period,
        date_from=date_from,
        date_to=date_to,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
    )
    return ObservationList.of([service.to_public(o) for o in rows], total, page)


# The id packs the observation's key (models.observation_id): far beyond a serial INTEGER id.
ObservationId = Annotated[int, Path(ge=1, le=MAX_OBSERVATION_ID)]


@router.get(
    f"{URL}/{{observation_id}}", response_model=ObservationPublic, responses=NOT_FOUND, summary="Get an observation"
)
def get_observation(observation_id: ObservationId, session: SessionDep, principal: PrincipalDep):
    """One value of a KPI; its ETag is what a DELETE with If-Match compares."""
    found = service.get_observation(session=session, workspace_id=principal.workspace_id, observation_id=observation_id)
    return service.to_public(found)


@router.delete(
    f"{URL}/{{observation_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
    summary="Delete an observation",
)
def delete_observation(observation_id: ObservationId, session: SessionDep, principal: EditorDep):
    service.delete_observation(session=session, workspace_id=principal.workspace_id, observation_id=observation_id)


@router.get(
    "/api/v1/kpis/{kpi_id}/observations.csv",
    response_class=Response,
    summary="Export a KPI's observations",
    responses={
        200: {
            "content": {"text/csv": {}},
            "description": "kpi_id, kpi_name, period, period_start, value, source, note",
        },
        **NOT_FOUND,
    },
)
def export_observations_csv(kpi_id: int, session: SessionDep, principal: PrincipalDep):
    body = service.export_csv(session=session, workspace_id=principal.workspace_id, kpi_id=kpi_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="kpi-{kpi_id}-observations.csv"'},
    )
