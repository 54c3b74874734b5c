"""HTTP routes of planning periods: thin, they parse, call service.py and return."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from kit.deps import OneHopRoute, SessionDep
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import ArchivedQuery, PageDep
from services.tasks.periods import service
from services.tasks.periods.models import (
    CapacityIn,
    CapacityPublic,
    PeriodCreate,
    PeriodList,
    PeriodPublic,
    PeriodUpdate,
)

router = APIRouter(prefix="/api/v1/periods", tags=["periods"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such period in this workspace"}}
INVALID = {422: {"description": "Invalid input naming the field (capacity_hours, people.N.owner_id, …)"}}


@router.get("", response_model=PeriodList, summary="List planning periods")
def list_periods(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    archived: ArchivedQuery = False,
    active_on: Annotated[date | None, Query(description="Only periods that cover this day")] = None,
):
    rows, total = service.list_periods(
        session=session,
        workspace_id=principal.workspace_id,
        archived=archived,
        active_on=active_on,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
    )
    return PeriodList.of([service.to_public(p) for p in rows], total, page)


@router.post("", response_model=PeriodPublic, status_code=status.HTTP_201_CREATED, summary="Create a period")
def create_period(data: PeriodCreate, session: SessionDep, principal: EditorDep):
    return service.to_public(service.create_period(session=session, workspace_id=principal.workspace_id, data=data))


@router.get("/{period_id}", response_model=PeriodPublic, responses=NOT_FOUND, summary="Get a period")
def get_period(period_id: int, session: SessionDep, principal: PrincipalDep):
    return service.to_public(
        service.get_period(session=session, workspace_id=principal.workspace_id, period_id=period_id)
    )


@router.patch("/{period_id}", response_model=PeriodPublic, responses=NOT_FOUND, summary="Change a period")
def update_period(period_id: int, data: PeriodUpdate, session: SessionDep, principal: EditorDep):
    return service.to_public(
        service.update_period(session=session, workspace_id=principal.workspace_id, period_id=period_id, data=data)
    )


@router.post("/{period_id}/archive", response_model=PeriodPublic, responses=NOT_FOUND, summary="Archive a period")
def archive_period(period_id: int, session: SessionDep, principal: EditorDep):
    return service.to_public(
        service.set_archived(session=session, workspace_id=principal.workspace_id, period_id=period_id, archived=True)
    )


@router.post("/{period_id}/restore", response_model=PeriodPublic, responses=NOT_FOUND, summary="Restore a period")
def restore_period(period_id: int, session: SessionDep, principal: EditorDep):
    return service.to_public(
        service.set_archived(session=session, workspace_id=principal.workspace_id, period_id=period_id, archived=False)
    )


@router.get(
    "/{period_id}/capacity", response_model=CapacityPublic, responses=NOT_FOUND, operation_id="getPeriodCapacity",
    summary="A period's capacity, the team's and each person's",
)  # fmt: skip
def get_capacity(period_id: int, session: SessionDep, principal: PrincipalDep):
    return service.get_capacity(session=session, workspace_id=principal.workspace_id, period_id=period_id)


@router.put(
    "/{period_id}/capacity", response_model=CapacityPublic, responses={**NOT_FOUND, **INVALID},
    operation_id="putPeriodCapacity", summary="Set a period's capacity",
    description="The team's hours and each person's (optional); the people sent replace the ones set before.",
)  # fmt: skip
def put_capacity(period_id: int, data: CapacityIn, session: SessionDep, principal: EditorDep):
    return service.set_capacity(session=session, workspace_id=principal.workspace_id, period_id=period_id, data=data)
