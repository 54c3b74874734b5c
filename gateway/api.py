"""The gateway's own API: what the UI's settings do, for integrators — workspaces and their settings, members
and roles, API tokens. The rules are gateway.workspaces' and gateway.tokens', the same as the pages'.

A token (or a session) acts in one workspace: every other workspace id answers 404, as a missing one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlmodel import Session

from gateway import tokens, workspaces
from gateway.api_models import (
    MemberAdded,
    MemberCreate,
    MemberList,
    MemberUpdate,
    TokenCreated,
    TokenList,
    WorkspaceList,
    WorkspaceMembership,
    WorkspaceUpdate,
)
from gateway.models import ApiTokenCreate, ApiTokenPublic, MemberPublic, User, Workspace, WorkspaceCreate
from kit.errors import Invalid, NotFound
from kit.fields import MAX_ID
from kit.identity import Principal
from kit.pagination import PageDep
from kit.query import PageParams
from kit.roles import Role

router = APIRouter(prefix="/api/v1/workspaces", tags=["workspaces"])
WorkspaceId = Annotated[int, Path(ge=1, le=MAX_ID, description="The workspace's id")]
UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="The member's user id")]
TokenId = Annotated[int, Path(ge=1, le=MAX_ID, description="The token's id")]
ADMIN_ONLY = {403: {"description": "Only admins and owners manage members; only owners make or change owners"}}
LAST_OWNER = {422: {"description": "Invalid input, or the change would leave the workspace without an owner"}}


async def caller(request: Request) -> Principal:
    principal, _ = await request.app.state.auth.api_principal(request)
    return principal


CallerDep = Annotated[Principal, Depends(caller)]


def _db(request: Request):
    return request.app.state.run_db


def _page(rows: list, params: PageParams) -> tuple[list, int]:
    return rows[params.offset : params.offset + params.limit], len(rows)


def _own(principal: Principal, workspace_id: int) -> None:
    """A workspace other than the caller's is NotFound, exactly as one that does not exist."""
    if workspace_id != principal.workspace_id:
        raise NotFound(f"No workspace {workspace_id}.")


@router.get("", response_model=WorkspaceList, summary="List workspaces")
async def list_workspaces(request: Request, principal: CallerDep, page: PageDep) -> WorkspaceList:
    """The caller's workspaces with the caller's role in each; a token sees only the workspace it is bound to."""
    mine = await _db(request)(lambda s: workspaces.workspaces_of(session=s, user_id=principal.user_id))
    if principal.token_id is not None:
        mine = [(w, r) for w, r in mine if w.id == principal.workspace_id]
    rows = [WorkspaceMembership.model_validate(w, from_attributes=True, update={"role": r}) for w, r in mine]
    return WorkspaceList.of(*_page(rows, page), page)


@router.post("", response_model=WorkspaceMembership, status_code=201, summary="Create a workspace")
async def create_workspace(request: Request, principal: CallerDep, data: WorkspaceCreate) -> WorkspaceMembership:
    """A new workspace with the caller as its first owner (a 409 names `slug` when it is taken)."""

    def create(session: Session) -> Workspace:
        return workspaces.create_workspace(session=session, data=data, owner=session.get(User, principal.user_id))

    workspace = await _db(request)(create)
    return WorkspaceMembership.model_validate(workspace, from_attributes=True, update={"role": Role.owner})


@router.get("/{workspace_id}", response_model=WorkspaceMembership, summary="Get a workspace and its settings")
async def get_workspace(request: Request, principal: CallerDep, workspace_id: WorkspaceId) -> WorkspaceMembership:
    """The workspace's name, slug and settings (time zone, country), with the caller's role."""
    _own(principal, workspace_id)
    workspace = await _db(request)(lambda s: s.get(Workspace, workspace_id))
    return WorkspaceMembership.model_validate(workspace, from_attributes=True, update={"role": principal.role})


@router.patch("/{workspace_id}", response_model=WorkspaceMembership, summary="Change workspace settings")
async def update_workspace(
    request: Request, principal: CallerDep, workspace_id: WorkspaceId, data: WorkspaceUpdate
) -> WorkspaceMembership:
    """Rename the workspace or change its time zone or country (admins and owners)."""
    _own(principal, workspace_id)
    principal.require(Role.admin)
    changes = data.model_dump(exclude_unset=True)

    def change(session: Session) -> Workspace:
        workspace = session.get(Workspace, workspace_id)
        workspace.sqlmodel_update(changes)
        session.add(workspace)
        return workspace

    workspace = await _db(request)(change)
    return WorkspaceMembership.model_validate(workspace, from_attributes=True, update={"role": principal.role})


# --- members ---------------------------------------------------------------------------------------------


@router.get("/{workspace_id}/members", response_model=MemberList, summary="List members")
async def list_members(request: Request, principal: CallerDep, workspace_id: WorkspaceId, page: PageDep) -> MemberList:
    """The workspace's members and their roles, owners first, then by email."""
    _own(principal, workspace_id)
    rows = await _db(request)(lambda s: workspaces.members(session=s, workspace_id=workspace_id))
    return MemberList.of(*_page(rows, page), page)


@router.post(
    "/{workspace_id}/members",
    response_model=MemberAdded,
    status_code=201,
    summary="Add a member",
    responses={**ADMIN_ONLY, 409: {"description": "That person is already a member"}},
)
async def add_member(
    request: Request, response: Response, principal: CallerDep, workspace_id: WorkspaceId, data: MemberCreate
):
    """Add a person by email with a role; a new account's one-time password is in the answer, this once."""
    _own(principal, workspace_id)

    def add(session: Session):
        return workspaces.add_member(
            session=session,
            workspace_id=workspace_id,
            actor_role=principal.role,
            email=data.email,
            role=data.role,
            name=data.name.strip(),
        )

    member, temporary = await _db(request)(add)
    response.headers["Location"] = f"{router.prefix}/{workspace_id}/members/{member.user_id}"
    return MemberAdded(**member.model_dump(), temporary_password=temporary)


@router.get("/{workspace_id}/members/{user_id}", response_model=MemberPublic, summary="Get a member")
async def get_member(request: Request, principal: CallerDep, workspace_id: WorkspaceId, user_id: UserId):
    """One member and their role."""
    _own(principal, workspace_id)
    return await _db(request)(_member, workspace_id, user_id)


def _member(session: Session, workspace_id: int, user_id: int) -> MemberPublic:
    for member in workspaces.members(session=session, workspace_id=workspace_id):
        if member.user_id == user_id:
            return member
    raise NotFound("No such member in this workspace.")


@router.patch(
    "/{workspace_id}/members/{user_id}",
    response_model=MemberPublic,
    summary="Change a member's role",
    responses={**ADMIN_ONLY, **LAST_OWNER},
)
async def change_member_role(
    request: Request, principal: CallerDep, workspace_id: WorkspaceId, user_id: UserId, data: MemberUpdate
):
    """Give a member another role. Only owners give or take the owner role; the last owner keeps it."""
    _own(principal, workspace_id)

    def change(session: Session) -> MemberPublic:
        workspaces.change_role(
            session=session, workspace_id=workspace_id, actor_role=principal.role, user_id=user_id, role=data.role
        )
        session.flush()
        return _member(session, workspace_id, user_id)

    return await _db(request)(change)


@router.delete(
    "/{workspace_id}/members/{user_id}",
    status_code=204,
    summary="Remove a member",
    responses={**ADMIN_ONLY, **LAST_OWNER},
)
async def remove_member(request: Request, principal: CallerDep, workspace_id: WorkspaceId, user_id: UserId) -> None:
    """Remove a member from the workspace (their account stays); the last owner cannot be removed."""
    _own(principal, workspace_id)
    await _db(request)(
        lambda s: workspaces.remove_member(
            session=s, workspace_id=workspace_id, actor_role=principal.role, user_id=user_id
        )
    )


# --- API tokens ------------------------------------------------------------------------------------------


@router.get("/{workspace_id}/tokens", response_model=TokenList, summary="List API tokens")
async def list_tokens(request: Request, principal: CallerDep, workspace_id: WorkspaceId, page: PageDep) -> TokenList:
    """Admins and owners see every token of the workspace; others the ones they created. Never a secret."""
    _own(principal, workspace_id)
    only = None if principal.role.at_least(Role.admin) else principal.user_id
    rows = await _db(request)(lambda s: tokens.list_tokens(session=s, workspace_id=workspace_id, user_id=only))
    return TokenList.of(*_page(rows, page), page)


@router.post("/{workspace_id}/tokens", response_model=TokenCreated, status_code=201, summary="Create an API token")
async def create_token(request: Request, principal: CallerDep, workspace_id: WorkspaceId, data: ApiTokenCreate):
    """A new token with a role up to the caller's (never owner); its secret is in this answer only."""
    _own(principal, workspace_id)
    if data.role == Role.owner:
        raise Invalid.field("role", "a token's role is at most admin")

    def create(session: Session) -> TokenCreated:
        token, raw = tokens.create_token(
            session=session,
            workspace_id=workspace_id,
            user_id=principal.user_id,
            creator_role=principal.role,
            data=data,
        )
        email = session.get(User, principal.user_id).email
        public = ApiTokenPublic.model_validate(token, update={"created_by": email})
        return TokenCreated(**public.model_dump(), token=raw)

    return await _db(request)(create)


@router.get("/{workspace_id}/tokens/{token_id}", response_model=ApiTokenPublic, summary="Get an API token")
async def get_token(request: Request, principal: CallerDep, workspace_id: WorkspaceId, token_id: TokenId):
    """One token as listed (admins any, others their own); never its secret."""
    _own(principal, workspace_id)
    only = None if principal.role.at_least(Role.admin) else principal.user_id
    rows = await _db(request)(lambda s: tokens.list_tokens(session=s, workspace_id=workspace_id, user_id=only))
    for row in rows:
        if row.id == token_id:
            return row
    raise NotFound(f"No token {token_id} in this workspace.")


@router.delete(
    "/{workspace_id}/tokens/{token_id}",
    status_code=204,
    summary="Revoke an API token",
    responses={403: {"description": "Only the token's creator or an admin revokes it"}},
)
async def revoke_token(request: Request, principal: CallerDep, workspace_id: WorkspaceId, token_id: TokenId) -> None:
    """Revoke a token at once; revoking one that is revoked already changes nothing."""
    _own(principal, workspace_id)

    def revoke(session: Session) -> None:
        # the creator-or-admin rule lives in tokens.revoke_token (the UI's revoke goes through it too)
        tokens.revoke_token(
            session=session,
            workspace_id=workspace_id,
            token_id=token_id,
            actor_id=principal.user_id,
            actor_role=principal.role,
        )

    await _db(request)(revoke)
    request.app.state.auth.forget_tokens()
