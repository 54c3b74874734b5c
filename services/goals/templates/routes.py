"""HTTP routes of strategy templates (mounted before /api/v1/goals/{goal_id}, which would take the path)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from kit.deps import OneHopRoute, SessionDep
from kit.identity import EditorDep, PrincipalDep
from services.goals.goals.routes import MetricsDep
from services.goals.templates import service
from services.goals.templates.schemas import TemplateCreate, TemplateList, TemplatePublic, TemplateResult, TemplateUse

router = APIRouter(prefix="/api/v1/goals/templates", tags=["goal templates"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such template (or one another user saved)"}}
KeyPath = Annotated[str, Path(max_length=64, description="A built-in's slug or a saved template's number")]


@router.get("", response_model=TemplateList, summary="List strategy templates: built-ins and your own")
def list_goal_templates(session: SessionDep, principal: PrincipalDep):
    data = service.list_templates(session=session, user_id=principal.user_id)
    return TemplateList(data=data, count=len(data))


@router.post(
    "",
    response_model=TemplatePublic,
    status_code=status.HTTP_201_CREATED,
    responses={503: {"description": "Metrics could not name the linked KPIs"}},
    summary="Save the workspace's active goal tree as a template of yours",
)
def save_goal_template(
    data: TemplateCreate, session: SessionDep, principal: EditorDep, metrics: MetricsDep, response: Response
):
    """The workspace's active goal tree (with its KPIs named) as a template only you see."""
    saved = service.save_template(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, data=data, metrics=metrics
    )
    response.headers["Location"] = f"{router.prefix}/{saved.key}"
    return saved


@router.get("/{key}", response_model=TemplatePublic, responses=NOT_FOUND, summary="Get a template")
def get_goal_template(key: KeyPath, session: SessionDep, principal: PrincipalDep):
    return service.get_template(session=session, user_id=principal.user_id, key=key)


@router.post(
    "/{key}/instantiate",
    response_model=TemplateResult,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, 422: {"description": "A binding names an unknown node or surface"}},
    summary="Build a template's goal tree in this workspace",
)
def instantiate_goal_template(key: KeyPath, data: TemplateUse, session: SessionDep, principal: EditorDep):
    """Each tactical means is bound to the surfaces given for its node key, else to every active surface
    of its kinds; one with no surface is skipped and listed in `skipped`. KPIs are suggested by name only."""
    return service.instantiate_template(
        session=session,
        workspace_id=principal.workspace_id,
        user_id=principal.user_id,
        key=key,
        bindings=data.surface_bindings,
    )
