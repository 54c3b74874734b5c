"""HTTP routes of surfaces: thin, they parse, call service.py and return."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from kit import references
from kit.deps import OneHopRoute, SessionDep
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import ArchivedQuery, search_query, sorted_page
from services.goals.surfaces import service
from services.goals.surfaces.models import SurfaceCreate, SurfaceKind, SurfaceList, SurfacePublic, SurfaceUpdate

router = APIRouter(prefix="/api/v1/surfaces", tags=["surfaces"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such surface in this workspace"}}


@router.get("", response_model=SurfaceList, summary="List surfaces")
def list_surfaces(
    session: SessionDep,
    principal: PrincipalDep,
    page: sorted_page(*service.SURFACE_SORTS),
    kind: SurfaceKind | None = None,
    archived: ArchivedQuery = False,
    q: search_query("Name contains") = None,
):
    rows, total = service.list_surfaces(
        session=session,
        workspace_id=principal.workspace_id,
        kind=kind,
        archived=archived,
        q=q,
        sort=page.sort,
        limit=page.limit,
        offset=page.offset,
    )
    return SurfaceList.of([service.to_public(s) for s in rows], total, page)


@router.post("", response_model=SurfacePublic, status_code=status.HTTP_201_CREATED, summary="Create a surface")
def create_surface(data: SurfaceCreate, session: SessionDep, principal: EditorDep, request: Request):
    """A new surface of the workspace; its owner must be a member (a 422 names `owner_id`)."""
    references.verify(request, data, owner_id=references.MEMBER)
    return service.to_public(service.create_surface(session=session, workspace_id=principal.workspace_id, data=data))


@router.get("/{surface_id}", response_model=SurfacePublic, responses=NOT_FOUND, summary="Get a surface")
def get_surface(surface_id: int, session: SessionDep, principal: PrincipalDep):
    return service.to_public(
        service.get_surface(session=session, workspace_id=principal.workspace_id, surface_id=surface_id)
    )


@router.patch("/{surface_id}", response_model=SurfacePublic, responses=NOT_FOUND, summary="Change a surface")
def update_surface(surface_id: int, data: SurfaceUpdate, session: SessionDep, principal: EditorDep, request: Request):
    """Change the fields sent; a new owner must be a member of the workspace."""
    references.verify(request, data, owner_id=references.MEMBER)
    return service.to_public(
        service.update_surface(session=session, workspace_id=principal.workspace_id, surface_id=surface_id, data=data)
    )


@router.post("/{surface_id}/archive", response_model=SurfacePublic, responses=NOT_FOUND, summary="Archive a surface")
def archive_surface(surface_id: int, session: SessionDep, principal: EditorDep):
    return service.to_public(
        service.set_archived(session=session, workspace_id=principal.workspace_id, surface_id=surface_id, archived=True)
    )


@router.post("/{surface_id}/restore", response_model=SurfacePublic, responses=NOT_FOUND, summary="Restore a surface")
def restore_surface(surface_id: int, session: SessionDep, principal: EditorDep):
    return service.to_public(
        service.set_archived(
            session=session, workspace_id=principal.workspace_id, surface_id=surface_id, archived=False
        )
    )
