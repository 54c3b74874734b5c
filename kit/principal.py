"""The short-lived identity the gateway signs and every service checks: the principal, signing and checking,
with no web framework (a worker signs one too: the notifications worker asking the gateway for addresses).
kit.identity adds the FastAPI dependencies."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jwt

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
