"""HTTP routes of workflow runs: start, list with filters, read, reassign a role, decide a re-plan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from kit.deps import OneHopRoute, SessionDep
from kit.errors import Invalid, Unavailable
from kit.fields import Id, utcnow
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import IdQuery, PageDep
from services.tasks.runs import replan, service
from services.tasks.runs.models import (
    Decision,
    ProposalPublic,
    RoleChange,
    RunCreate,
    RunDetail,
    RunList,
    RunState,
)
from services.tasks.workflows.calendar import work_calendar


def workspace_members(request: Request, principal: PrincipalDep) -> set[int]:
    """FastAPI dependency (sync: the internal client blocks): the user ids of the workspace's members."""
    client = getattr(request.app.state, "internal", None)
    if client is None:
        raise Unavailable("The gateway cannot be asked for the workspace's members: no internal client.")
    status, body = client.get(request, "gateway", "/members")
    if status != 200 or not isinstance(body, dict):
        raise Unavailable("The gateway did not list the workspace's members.")
    return {int(m["user_id"]) for m in body.get("data", [])}


MembersDep = Annotated[set[int], Depends(workspace_members)]


router = APIRouter(prefix="/api/v1/workflow-runs", tags=["workflow runs"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such run in this workspace"}}


def _check_surface(request: Request, surface_id: int | None) -> None:
    """A surface is the goals service's: ask it (through the gateway) whether it is this workspace's."""
    client = getattr(request.app.state, "internal", None)
    if surface_id is None or client is None:
        return
    code, _ = client.get(request, "goals", f"/api/v1/surfaces/{surface_id}")
    if code != 200:
        raise Invalid.field("surface_id", "no such surface in this workspace")


@router.get("", response_model=RunList, operation_id="listWorkflowRuns", summary="List runs")
def list_runs(
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    template_id: IdQuery = None,
    state: RunState | None = None,
    surface_id: IdQuery = None,
    owner_id: IdQuery = None,
    late: bool | None = None,
):
    today = principal.today()
    rows, total = service.list_runs(
        session=session,
        workspace_id=principal.workspace_id,
        today=today,
        template_id=template_id,
        state=state,
        surface_id=surface_id,
        owner_id=owner_id,
        late=late,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
    )
    return RunList.of(service.publics(session, rows, today), total, page)


@router.post(
    "",
    response_model=RunDetail,
    status_code=status.HTTP_201_CREATED,
    operation_id="startWorkflowRun",
    summary="Start a run of a workflow's published version",
)
def start_run(
    data: RunCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: EditorDep,
    members: MembersDep,
):
    _check_surface(request, data.surface_id)
    cal = work_calendar(session=session, workspace_id=principal.workspace_id, timezone=principal.timezone)
    run = service.start_run(
        session=session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        data=data,
        members=members,
        cal=cal,
        now=utcnow(),
    )
    response.headers["Location"] = f"/api/v1/workflow-runs/{run.id}"
    return service.detail(session, run, principal.today())


@router.get("/{run_id}", response_model=RunDetail, responses=NOT_FOUND, operation_id="getWorkflowRun")
def get_run(run_id: int, session: SessionDep, principal: PrincipalDep):
    """The run with its steps, history and re-plan proposals."""
    run = service.get_run(session=session, workspace_id=principal.workspace_id, run_id=run_id)
    return service.detail(session, run, principal.today())


@router.put("/{run_id}/roles/{role}", response_model=RunDetail, responses=NOT_FOUND, operation_id="reassignRunRole")
def reassign_role(
    run_id: int, role: str, data: RoleChange, session: SessionDep, principal: EditorDep, members: MembersDep
):
    """Give a role to another member: every open and future step of it moves, and the history says so."""
    run = service.get_run(session=session, workspace_id=principal.workspace_id, run_id=run_id)
    service.reassign_role(
        session=session,
        run=run,
        role=role,
        user_id=data.user_id,
        members=members,
        actor_id=principal.user_id,
        now=utcnow(),
    )
    return service.detail(session, run, principal.today())


@router.post(
    "/{run_id}/proposals/{proposal_id}",
    response_model=ProposalPublic,
    responses=NOT_FOUND,
    operation_id="decideReplan",
)
def decide(run_id: int, proposal_id: Id, data: Decision, session: SessionDep, principal: EditorDep):
    """Accept one option of a re-plan proposal (its dates are applied) or reject it (nothing moves)."""
    run = service.get_run(session=session, workspace_id=principal.workspace_id, run_id=run_id)
    proposal = replan.decide(
        session=session,
        run=run,
        proposal_id=proposal_id,
        accept=data.accept,
        option=data.option,
        actor_id=principal.user_id,
    )
    return ProposalPublic.model_validate(proposal, from_attributes=True)
