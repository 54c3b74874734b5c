"""HTTP routes of retrospectives: a template's statistics, its suggested next version, notes on runs."""

from __future__ import annotations

from fastapi import APIRouter, status

from kit.deps import OneHopRoute, SessionDep
from kit.identity import EditorDep, PrincipalDep
from services.tasks.retrospectives import service
from services.tasks.retrospectives.models import NoteCreate, NotePublic, Retrospective
from services.tasks.runs.service import get_run
from services.tasks.workflows import service as workflows
from services.tasks.workflows.calendar import work_calendar
from services.tasks.workflows.models import WorkflowPublic

router = APIRouter(tags=["retrospectives"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "Not in this workspace"}}


@router.get(
    "/api/v1/workflows/{workflow_id}/retrospective",
    response_model=Retrospective,
    responses=NOT_FOUND,
    operation_id="getRetrospective",
)
def get_retrospective(workflow_id: int, session: SessionDep, principal: PrincipalDep):
    """Per step and role of the finished runs: planned against actual, lateness, waiting, send-back loops."""
    template = workflows.get_template(session=session, workspace_id=principal.workspace_id, template_id=workflow_id)
    cal = work_calendar(session=session, workspace_id=principal.workspace_id, timezone=principal.timezone)
    return service.retrospective(session=session, template=template, cal=cal)


@router.post(
    "/api/v1/workflows/{workflow_id}/retrospective/draft",
    response_model=WorkflowPublic,
    responses=NOT_FOUND,
    operation_id="draftFromRetrospective",
)
def draft_from_retrospective(workflow_id: int, session: SessionDep, principal: EditorDep):
    """Make the suggested offsets and durations the template's draft version (publish it after review)."""
    template = workflows.get_template(session=session, workspace_id=principal.workspace_id, template_id=workflow_id)
    cal = work_calendar(session=session, workspace_id=principal.workspace_id, timezone=principal.timezone)
    service.suggest_draft(session=session, template=template, cal=cal, user_id=principal.user_id)
    return workflows.to_public(session, template)


@router.post(
    "/api/v1/workflow-runs/{run_id}/notes",
    response_model=NotePublic,
    status_code=status.HTTP_201_CREATED,
    responses=NOT_FOUND,
    operation_id="addRunNote",
)
def add_note(run_id: int, data: NoteCreate, session: SessionDep, principal: EditorDep):
    """A note for the retrospective: a missing step, the wrong owner, an estimate off."""
    run = get_run(session=session, workspace_id=principal.workspace_id, run_id=run_id)
    return service.add_note(session=session, run=run, author_id=principal.user_id, data=data)
