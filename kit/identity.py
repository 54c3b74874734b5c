"""The short-lived identity the gateway signs and every service checks (kit.principal), as FastAPI dependencies."""

from __future__ import annotations

import time
from typing import Annotated

import jwt
from fastapi import Depends, Request

from kit.errors import Unauthorized
from kit.principal import (  # noqa: F401  (re-exported: the services import them from here)
    DEFAULT_TTL,
    IDENTITY_HEADER,
    ISSUER,
    Principal,
    sign_identity,
    verify_identity,
)
from kit.roles import Role

# Identities already checked, by their token: the gateway reuses one per caller for half its life, so a caller's
# requests carry the same token and are checked once (a check costs ~25-70 µs, a tenth of a small request).
_checked: dict[tuple[str, str], tuple[Principal, float]] = {}
CHECKED_MAX = 4096


def checked_identity(key: str, token: str) -> Principal:
    """verify_identity, remembered until the token expires."""
    found = _checked.get((key, token))
    if found is not None and found[1] > time.time():
        return found[0]
    principal = verify_identity(key, token)  # raises for a bad or expired token: nothing is remembered
    if len(_checked) >= CHECKED_MAX:
        _checked.clear()
    _checked[(key, token)] = (principal, _expiry(token))
    return principal


def _expiry(token: str) -> float:
    return float(jwt.decode(token, options={"verify_signature": False})["exp"])


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the verified principal of this request (async: cheap, no thread hop)."""
    token = request.headers.get(IDENTITY_HEADER)
    if not token:
        raise Unauthorized("The request carries no identity signed by the gateway.")
    return checked_identity(request.app.state.signing_key, token)


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
