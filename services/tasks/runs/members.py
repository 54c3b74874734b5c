"""The members of the caller's workspace, asked of the gateway (which owns memberships)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kit.errors import Unavailable
from kit.identity import PrincipalDep


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
