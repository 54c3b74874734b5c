"""HTTP routes of workflow templates: thin, they parse, call the service and return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from kit.deps import OneHopRoute, SessionDep
from kit.fields import Id
from kit.identity import EditorDep, PrincipalDep, WorkspacesDep
from kit.pagination import PageDep
from services.tasks.workflows import builtin, calendar, service
from services.tasks.workflows.models import (
    CalendarPublic,
    CalendarUpdate,
    Preview,
    PreviewRequest,
    VersionDiff,
    VersionList,
    WorkflowCreate,
    WorkflowList,
    WorkflowPublic,
    WorkflowUpdate,
)

router = APIRouter(prefix="/api/v1/workflows", tags=["workflows"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such workflow in this workspace"}}


class BuiltinPublic(BaseModel):
    key: str
    name: str
    description: str


class BuiltinList(BaseModel):
    data: list[BuiltinPublic]
    count: int


class BuiltinUse(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: str = Field(default="en", pattern="^(en|nb|sv|fi)$")


class CopyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_id: Id = Field(description="A workflow in another workspace you belong to")


@router.get("", response_model=WorkflowList, operation_id="listWorkflows", summary="List workflow templates")
def list_workflows(session: SessionDep, principal: PrincipalDep, page: PageDep, archived: bool = False):
    rows, total = service.list_templates(
        session=session,
        workspace_id=principal.workspace_id,
        archived=archived,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
    )
    return WorkflowList.of([service.to_public(session, t) for t in rows], total, page)


@router.post(
    "",
    response_model=WorkflowPublic,
    status_code=status.HTTP_201_CREATED,
    operation_id="createWorkflow",
    summary="Create a workflow template (its first version is a draft)",
)
def create_workflow(data: WorkflowCreate, session: SessionDep, principal: EditorDep):
    template = service.create_template(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, data=data
    )
    return service.to_public(session, template)


@router.get("/builtins", response_model=BuiltinList, operation_id="listBuiltinWorkflows", summary="Built-ins")
def list_builtins(principal: PrincipalDep, language: Annotated[str, Query(pattern="^(en|nb|sv|fi)$")] = "en"):
    data = [BuiltinPublic(**builtin.summary(k, language)) for k in builtin.BUILTINS]
    return BuiltinList(data=data, count=len(data))


@router.post(
    "/builtins/{key}",
    response_model=WorkflowPublic,
    status_code=status.HTTP_201_CREATED,
    responses={404: {"description": "No such built-in"}},
    operation_id="addBuiltinWorkflow",
    summary="Add a built-in template to the workspace, in one language, published",
)
def add_builtin(key: str, data: BuiltinUse, session: SessionDep, principal: EditorDep):
    template = service.add_builtin(
        session=session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        key=key,
        language=data.language,
    )
    return service.to_public(session, template)


@router.post(
    "/copy",
    response_model=WorkflowPublic,
    status_code=status.HTTP_201_CREATED,
    operation_id="copyWorkflow",
    summary="Copy a template from another workspace you belong to",
)
def copy_workflow(data: CopyRequest, session: SessionDep, principal: EditorDep, mine: WorkspacesDep):
    template = service.copy_template(
        session=session,
        source_workspace_ids=set(mine),
        source_id=data.source_id,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
    )
    return service.to_public(session, template)


@router.get("/calendar", response_model=CalendarPublic, operation_id="getWorkCalendar", summary="Working days")
def get_calendar(session: SessionDep, principal: PrincipalDep):
    return calendar.get_calendar(session=session, workspace_id=principal.workspace_id, timezone=principal.timezone)


@router.put("/calendar", response_model=CalendarPublic, operation_id="setWorkCalendar", summary="Set working days")
def set_calendar(data: CalendarUpdate, session: SessionDep, principal: EditorDep):
    return calendar.set_calendar(session=session, workspace_id=principal.workspace_id, data=data)


@router.get("/{workflow_id}", response_model=WorkflowPublic, responses=NOT_FOUND, operation_id="getWorkflow")
def get_workflow(workflow_id: int, session: SessionDep, principal: PrincipalDep):
    """A template with its current version."""
    template = service.get_template(session=session, workspace_id=principal.workspace_id, template_id=workflow_id)
    return service.to_public(session, template)


@router.patch("/{workflow_id}", response_model=WorkflowPublic, responses=NOT_FOUND, operation_id="updateWorkflow")
def update_workflow(workflow_id: int, data: WorkflowUpdate, session: SessionDep, principal: EditorDep):
    """Rename, or change the steps: that makes a draft version; publish it for new runs to use it."""
    template = service.update_template(
        session=session,
        workspace_id=principal.workspace_id,
        template_id=workflow_id,
        user_id=principal.user_id,
        data=data,
    )
    return service.to_public(session, template)


@router.post(
    "/{workflow_id}/publish", response_model=WorkflowPublic, responses=NOT_FOUND, operation_id="publishWorkflow"
)
def publish_workflow(workflow_id: int, session: SessionDep, principal: EditorDep):
    """The draft becomes the version new runs use; running runs keep theirs."""
    template = service.publish(session=session, workspace_id=principal.workspace_id, template_id=workflow_id)
    return service.to_public(session, template)


@router.post(
    "/{workflow_id}/archive", response_model=WorkflowPublic, responses=NOT_FOUND, operation_id="archiveWorkflow"
)
def archive_workflow(workflow_id: int, session: SessionDep, principal: EditorDep):
    """Archive a template; its runs stay."""
    template = service.set_archived(
        session=session, workspace_id=principal.workspace_id, template_id=workflow_id, archived=True
    )
    return service.to_public(session, template)


@router.get(
    "/{workflow_id}/versions", response_model=VersionList, responses=NOT_FOUND, operation_id="listWorkflowVersions"
)
def list_versions(workflow_id: int, session: SessionDep, principal: PrincipalDep):
    """Every version, oldest first."""
    template = service.get_template(session=session, workspace_id=principal.workspace_id, template_id=workflow_id)
    rows = [service.version_public(v) for v in service.versions(session=session, template_id=template.id)]
    return VersionList(data=rows, count=len(rows))


@router.get("/{workflow_id}/diff", response_model=VersionDiff, responses=NOT_FOUND, operation_id="diffWorkflow")
def diff_versions(
    workflow_id: int,
    session: SessionDep,
    principal: PrincipalDep,
    old: Annotated[int, Query(alias="from", ge=1)],
    new: Annotated[int, Query(alias="to", ge=1)],
):
    """What changed between two versions."""
    return service.diff(session=session, workspace_id=principal.workspace_id, template_id=workflow_id, old=old, new=new)


@router.post("/{workflow_id}/preview", response_model=Preview, responses=NOT_FOUND, operation_id="previewWorkflow")
def preview(workflow_id: int, data: PreviewRequest, session: SessionDep, principal: PrincipalDep):
    """Every step's computed start and due date for these anchor dates; nothing is stored."""
    return service.preview(
        session=session,
        workspace_id=principal.workspace_id,
        timezone=principal.timezone,
        template_id=workflow_id,
        anchors=data.anchors,
        number=data.version,
        strict=data.strict,
    )
