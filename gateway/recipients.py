"""Internal route for notifications: the addresses, languages and time zone of a workspace's members.

The tasks worker asks it when it writes an email (GET /internal/gateway/recipients?user_id=…), with an identity it
signs for the workspace; only members of the signed workspace are answered, and the workspace's time zone is
the one their quiet hours and digest hour are read in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlmodel import col, select

from gateway.models import Membership, User, Workspace
from kit.identity import IDENTITY_HEADER, verify_identity

router = APIRouter()


@router.get("/internal/gateway/recipients", include_in_schema=False)
async def internal_recipients(
    request: Request,
    user_id: Annotated[list[int], Query(max_length=500)] = [],  # noqa: B006
) -> JSONResponse:
    principal = verify_identity(request.app.state.signing_key, request.headers.get(IDENTITY_HEADER, ""))

    def rows(session):
        workspace = session.get(Workspace, principal.workspace_id)
        found = session.exec(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == principal.workspace_id, col(User.id).in_(user_id))
        ).all()
        return workspace, found

    workspace, users = await request.app.state.run_db(rows)
    data = [{"user_id": u.id, "email": u.email, "name": u.name, "locale": u.locale} for u in users]
    return JSONResponse({"timezone": workspace.timezone if workspace else "UTC", "data": data})
