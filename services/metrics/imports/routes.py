"""HTTP routes of file imports: upload, map, run (in the background), status with progress, the report."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, BinaryIO

from fastapi import APIRouter, BackgroundTasks, Body, File, Form, Request, UploadFile, status

from kit.deps import OneHopRoute, SessionDep
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import PageDep
from services.metrics.imports import service
from services.metrics.imports.models import (
    MAX_FILE_BYTES,
    ImportList,
    ImportMapping,
    ImportProblemList,
    ImportProblemPublic,
    ImportPublic,
    ImportRun,
    ImportTarget,
)
from services.metrics.imports.requeue import enqueue_run

router = APIRouter(tags=["imports"], route_class=OneHopRoute)
URL = "/api/v1/imports"
NOT_FOUND = {404: {"description": "No such import in this workspace"}}
log = logging.getLogger("effekt.metrics.imports")


async def enqueue(request: Request, import_id: int, attempt: int, created: datetime) -> None:
    """Queue the run after the commit; if Redis is away, the worker's requeue cron queues it when it is back."""
    await enqueue_run(request.app.state.queue, import_id, attempt, created)


def _read_limited(file: BinaryIO) -> bytes:
    """The upload's bytes in one read of at most one byte past the limit (the service then refuses it): one
    allocation, where joining blocks held the file twice."""
    return file.read(MAX_FILE_BYTES + 1)


@router.post(
    URL,
    response_model=ImportPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a file to import",
    responses={
        413: {"description": f"Larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, or an XLSX that expands too much"},
        422: {"description": "Empty or unreadable, a line longer than 1 MB, or more than 200 columns"},
    },
)
def upload_import(
    file: Annotated[UploadFile, File(description="CSV (, ; or tab; UTF-8 or Windows-1252) or XLSX")],
    session: SessionDep,
    principal: EditorDep,
    target: Annotated[
        ImportTarget, Form(description="What the file holds: KPI values (default) or feedback items")
    ] = ImportTarget.observations,
):
    """Stores the file and answers its columns, first lines and a suggested mapping; nothing is imported yet.

    A plain (sync) route: reading and checking the file runs in the thread pool, never on the event loop, so
    other requests (and /healthz) are answered meanwhile. The limits are in services/metrics/imports/limits.py."""
    data = _read_limited(file.file)
    record = service.create_import(
        session=session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        filename=file.filename or "upload",
        data=data,
        target=target,
    )
    return service.to_public(record)


@router.get(URL, response_model=ImportList, summary="List imports")
def list_imports(session: SessionDep, principal: PrincipalDep, page: PageDep):
    """Newest first."""
    rows, total = service.list_imports(
        session=session, workspace_id=principal.workspace_id, limit=page.limit, offset=page.offset
    )
    return ImportList.of([service.to_summary(r) for r in rows], total, page)


@router.get(f"{URL}/{{import_id}}", response_model=ImportPublic, responses=NOT_FOUND, summary="Read an import")
def get_import(import_id: int, session: SessionDep, principal: PrincipalDep):
    """Status, progress (rows_checked, rows_done of rows_total), counts and whether a run was interrupted."""
    record = service.get_import(session=session, workspace_id=principal.workspace_id, import_id=import_id)
    return service.to_public(record)


@router.get(
    f"{URL}/{{import_id}}/problems",
    response_model=ImportProblemList,
    responses=NOT_FOUND,
    summary="The bad lines of an import",
)
def list_import_problems(import_id: int, session: SessionDep, principal: PrincipalDep, page: PageDep):
    """Each bad line with its number as a spreadsheet shows it (the header is line 1), the column and the reason."""
    rows, total = service.list_problems(
        session=session, workspace_id=principal.workspace_id, import_id=import_id, limit=page.limit, offset=page.offset
    )
    return ImportProblemList.of(
        [ImportProblemPublic.model_validate(r, from_attributes=True) for r in rows], total, page
    )


@router.put(
    f"{URL}/{{import_id}}/mapping",
    response_model=ImportPublic,
    responses=NOT_FOUND,
    summary="Set an import's column mapping",
)
def set_import_mapping(import_id: int, mapping: ImportMapping, session: SessionDep, principal: EditorDep):
    record = service.set_mapping(
        session=session, workspace_id=principal.workspace_id, import_id=import_id, mapping=mapping
    )
    return service.to_public(record)


@router.post(
    f"{URL}/{{import_id}}/run",
    response_model=ImportPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses={**NOT_FOUND, 409: {"description": "A run is going, or the feedback items are stored already"}},
    summary="Run an import (again)",
)
def run_import(
    import_id: int,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    principal: EditorDep,
    data: Annotated[ImportRun | None, Body()] = None,
):
    """Queues the run. By default nothing is stored if any line is bad; mapping.store_good stores the good lines.
    Running again (after a failure or an interruption) never duplicates a value: values are upserted."""
    record = service.start_run(
        session=session,
        workspace_id=principal.workspace_id,
        import_id=import_id,
        mapping=data.mapping if data else None,
        timezone=principal.timezone,
    )
    background.add_task(enqueue, request, record.id, record.attempt, record.created_at)
    return service.to_public(record)


@router.delete(
    f"{URL}/{{import_id}}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND, summary="Delete an import"
)
def delete_import(import_id: int, session: SessionDep, principal: EditorDep):
    """Its file and report go; the observations it stored stay."""
    service.delete_import(session=session, workspace_id=principal.workspace_id, import_id=import_id)
