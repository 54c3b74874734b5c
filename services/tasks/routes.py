"""HTTP routes of the tasks service: thin, they parse, call service.py and return."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BeforeValidator

from kit.identity import EditorDep, PrincipalDep
from kit.pagination import PageDep
from services.tasks import service
from services.tasks.db import SessionDep
from services.tasks.models import PeriodCreate, PeriodList, PeriodPublic, PeriodUpdate

router = APIRouter(prefix="/api/v1/periods", tags=["periods"])
NOT_FOUND = {404: {"description": "No such period in this workspace"}}


def _all_as_none(value):
    return None if isinstance(value, str) and value.strip().lower() in ("all", "") else value


# A bare `bool | None = False` can never be None over HTTP; `archived=all` is how a caller asks for both.
ArchivedQuery = Annotated[bool | None, BeforeValidator(_all_as_none),
                          Query(description="false (the default), true, or all")]


@router.get("", response_model=PeriodList, summary="List planning periods")
def list_periods(session: SessionDep, principal: PrincipalDep, page: PageDep,
                 archived: ArchivedQuery = False,
                 active_on: Annotated[date | None, Query(description="Only periods that cover this day")] = None):
    rows, total = service.list_periods(session=session, workspace_id=principal.workspace_id, archived=archived,
                                       active_on=active_on, sort=page.sort, limit=page.limit, offset=page.offset)
    return PeriodList(data=[service.to_public(p) for p in rows], count=total, limit=page.limit, offset=page.offset)


@router.post("", response_model=PeriodPublic, status_code=status.HTTP_201_CREATED, summary="Create a period")
def create_period(data: PeriodCreate, session: SessionDep, principal: EditorDep):
    return service.to_public(service.create_period(session=session, workspace_id=principal.workspace_id, data=data))


@router.get("/{period_id}", response_model=PeriodPublic, responses=NOT_FOUND, summary="Get a period")
def get_period(period_id: int, session: SessionDep, principal: PrincipalDep):
    return service.to_public(service.get_period(session=session, workspace_id=principal.workspace_id,
                                                period_id=period_id))


@router.patch("/{period_id}", response_model=PeriodPublic, responses=NOT_FOUND, summary="Change a period")
def update_period(period_id: int, data: PeriodUpdate, session: SessionDep, principal: EditorDep):
    return service.to_public(service.update_period(session=session, workspace_id=principal.workspace_id,
                                                   period_id=period_id, data=data))


@router.post("/{period_id}/archive", response_model=PeriodPublic, responses=NOT_FOUND, summary="Archive a period")
def archive_period(period_id: int, session: SessionDep, principal: EditorDep):
    return service.to_public(service.set_archived(session=session, workspace_id=principal.workspace_id,
                                                  period_id=period_id, archived=True))


@router.post("/{period_id}/restore", response_model=PeriodPublic, responses=NOT_FOUND, summary="Restore a period")
def restore_period(period_id: int, session: SessionDep, principal: EditorDep):
    return service.to_public(service.set_archived(session=session, workspace_id=principal.workspace_id,
                                                  period_id=period_id, archived=False))
