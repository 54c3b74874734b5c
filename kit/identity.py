"""The short-lived identity the gateway signs and every service checks."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jwt
from fastapi import Depends, Request

from kit.errors import Forbidden, Unauthorized
from kit.roles import Role

IDENTITY_HEADER = "x-effekt-identity"
ISSUER = "effekt-gateway"
DEFAULT_TTL = 60


@dataclass(frozen=True, slots=True)
class Principal:
    """Who calls: a user (or a token acting for one) in one workspace with one role."""

    user_id: int
    workspace_id: int
    role: Role
    token_id: int | None = None
    timezone: str = "UTC"  # the workspace's: "today", and so the current period, is the workspace's today

    def today(self) -> date:
        """Today's date in the workspace's time zone (UTC if the zone is unknown here)."""
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return datetime.now(zone).date()

    def require(self, minimum: Role) -> None:
        """Refuse the call unless the role is at least `minimum`."""
        if not self.role.at_least(minimum):
            raise Forbidden(f"This needs the {minimum.value} role; you have {self.role.value}.")


def sign_identity(key: str, principal: Principal, *, ttl: int = DEFAULT_TTL, now: float | None = None) -> str:
    """Sign a principal into a compact token valid for `ttl` seconds."""
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": ISSUER,
        "sub": str(principal.user_id),
        "ws": principal.workspace_id,
        "role": principal.role.value,
        "iat": issued,
        "exp": issued + ttl,
    }
    if principal.token_id is not None:
        claims["tok"] = principal.token_id
    if principal.timezone != "UTC":
        claims["tz"] = principal.timezone
    return jwt.encode(claims, key, algorithm="HS256")


def verify_identity(key: str, token: str) -> Principal:
    """Check signature, issuer and expiry; raise Unauthorized otherwise."""
    try:
        claims = jwt.decode(
            token, key, algorithms=["HS256"], issuer=ISSUER, options={"require": ["exp", "iat", "sub", "iss"]}
        )
        return Principal(
            user_id=int(claims["sub"]),
            workspace_id=int(claims["ws"]),
            role=Role(claims["role"]),
            token_id=claims.get("tok"),
            timezone=str(claims.get("tz") or "UTC"),
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The identity signed by the gateway has expired.") from None
    except (jwt.InvalidTokenError, KeyError, ValueError):
        raise Unauthorized("The request carries no valid identity signed by the gateway.") from None


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified principal of this request (async: cheap, no thread hop)."""
    token = request.headers.get(IDENTITY_HEADER)
    if not token:
        raise Unauthorized("The request carries no identity signed by the gateway.")
    return verify_identity(request.app.state.signing_key, token)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_role(minimum: Role):
    """Dependency factory: the principal, if its role is at least `minimum`."""

    async def dep(principal: PrincipalDep) -> Principal:
        principal.require(minimum)
        return principal

    return dep


EditorDep = Annotated[Principal, Depends(require_role(Role.editor))]
AdminDep = Annotated[Principal, Depends(require_role(Role.admin))]


# --- a set of workspaces the gateway vouches for (My work across workspaces, copying between them) ---------------

WORKSPACES_HEADER = "x-effekt-workspaces"
WORKSPACES_AUDIENCE = "effekt-workspaces"


def sign_workspaces(key: str, user_id: int, workspace_ids: list[int], *, ttl: int = DEFAULT_TTL) -> str:
    """Sign the ids of every workspace `user_id` belongs to (the gateway alone knows them)."""
    issued = int(time.time())
    claims = {"iss": ISSUER, "aud": WORKSPACES_AUDIENCE, "sub": str(user_id), "wss": sorted(set(workspace_ids))}
    claims |= {"iat": issued, "exp": issued + ttl}
    return jwt.encode(claims, key, algorithm="HS256")


def verify_workspaces(key: str, token: str, user_id: int) -> frozenset[int] | None:
    """The vouched workspace ids if the token is valid and is for `user_id`; None otherwise."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], issuer=ISSUER, audience=WORKSPACES_AUDIENCE)
        if int(claims["sub"]) != user_id:
            return None
        return frozenset(int(w) for w in claims["wss"])
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError):
        return None


async def vouched_workspaces(request: Request, principal: PrincipalDep) -> frozenset[int]:
    """FastAPI dependency: the caller's workspaces as vouched by the gateway; only the current one without that."""
    token = request.headers.get(WORKSPACES_HEADER)
    found = verify_workspaces(request.app.state.signing_key, token, principal.user_id) if token else None
    return (found or frozenset()) | {principal.workspace_id}


WorkspacesDep = Annotated[frozenset[int], Depends(vouched_workspaces)]
