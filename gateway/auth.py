"""Who is calling: a bearer API token or a browser session, turned into a signed identity for services."""

from __future__ import annotations

import hmac
import random
import secrets
import time
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from gateway import accounts, tokens, workspaces
from gateway.models import User, UserSession, Workspace
from kit.errors import Forbidden, Unauthorized
from kit.identity import DEFAULT_TTL, Principal, sign_identity
from kit.roles import Role

SESSION_COOKIE = "effekt_session"
CSRF_COOKIE = "effekt_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class BrowserContext:
    """A signed-in browser: the user, the session, and the current workspace and role (if any)."""

    user: User
    session: UserSession
    workspace: Workspace | None
    role: Role | None
    workspaces: tuple[tuple[Workspace, Role], ...] = ()

    @property
    def principal(self) -> Principal | None:
        if self.workspace is None or self.role is None:
            return None
        return Principal(
            user_id=self.user.id, workspace_id=self.workspace.id, role=self.role, timezone=self.workspace.timezone
        )


class Signer:
    """Signs identities for upstream calls, reusing each one for half its life."""

    def __init__(self, key: str, ttl: int = DEFAULT_TTL):
        self.key = key
        self.ttl = ttl
        self._cache: dict[Principal, tuple[str, float]] = {}

    def sign(self, principal: Principal) -> str:
        now = time.time()
        hit = self._cache.get(principal)
        if hit and hit[1] > now:
            return hit[0]
        if len(self._cache) > 10_000:
            self._cache.clear()
        token = sign_identity(self.key, principal, ttl=self.ttl, now=now)
        self._cache[principal] = (token, now + self.ttl / 2)
        return token


class Authenticator:
    """Resolves callers. Token look-ups are cached for a few seconds: revocation takes effect within that."""

    def __init__(self, engine: Engine, token_cache_seconds: float):
        self.engine = engine
        self.cache_seconds = token_cache_seconds
        self._tokens: dict[str, tuple[float, tokens.TokenGrant | None]] = {}

    async def api_principal(self, request: Request) -> tuple[Principal, str]:
        """The principal of an API call and how it authenticated ('token' or 'session')."""
        auth = request.headers.get("authorization")
        if auth:
            scheme, _, raw = auth.partition(" ")
            if scheme.lower() != "bearer" or not raw:
                raise Unauthorized("Use 'Authorization: Bearer <API token>'.", headers={"WWW-Authenticate": "Bearer"})
            grant = await self.token_grant(raw.strip())
            if grant is None:
                raise Unauthorized(
                    "The API token is unknown, expired or revoked.",
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            return Principal(
                user_id=grant.user_id,
                workspace_id=grant.workspace_id,
                role=grant.role,
                token_id=grant.token_id,
                timezone=grant.timezone,
            ), "token"
        raw = request.cookies.get(SESSION_COOKIE)
        context = await self.browser(raw) if raw else None
        if context is None:
            raise Unauthorized("Sign in, or send an API token.", headers={"WWW-Authenticate": "Bearer"})
        if context.principal is None:
            raise Forbidden("You belong to no workspace yet.")
        if request.method in UNSAFE_METHODS:
            check_csrf(request, request.headers.get(CSRF_HEADER))
        return context.principal, "session"

    async def token_grant(self, raw: str) -> tokens.TokenGrant | None:
        now = time.monotonic()
        hit = self._tokens.get(raw)
        if hit and hit[0] > now:
            return hit[1]
        grant = await run_in_threadpool(self._resolve_token, raw)
        if len(self._tokens) > 10_000:
            self._tokens.clear()
        # each entry lives 80-100 % of the cache time: tokens first used together (a fleet of clients started at
        # once) would otherwise all be looked up again in the same instant, every cache period
        self._tokens[raw] = (now + self.cache_seconds * random.uniform(0.8, 1.0), grant)
        return grant

    def forget_tokens(self) -> None:
        """Drop cached grants (after a revocation in this process)."""
        self._tokens.clear()

    def _resolve_token(self, raw: str) -> tokens.TokenGrant | None:
        with Session(self.engine, expire_on_commit=False) as session:
            grant = tokens.resolve_token(session=session, raw=raw)
            session.commit()
            return grant

    async def browser(self, raw: str) -> BrowserContext | None:
        return await run_in_threadpool(self.browser_sync, raw)

    def browser_sync(self, raw: str) -> BrowserContext | None:
        with Session(self.engine, expire_on_commit=False) as session:
            found = accounts.load_session(session=session, raw=raw)
            if found is None:
                session.commit()
                return None
            user_session, user = found
            mine = workspaces.workspaces_of(session=session, user_id=user.id)
            workspace, role = _current_workspace(session, user_session, mine)
            session.commit()
            return BrowserContext(
                user=user, session=user_session, workspace=workspace, role=role, workspaces=tuple(mine)
            )


def _current_workspace(
    session: Session, user_session: UserSession, mine: list[tuple[Workspace, Role]]
) -> tuple[Workspace | None, Role | None]:
    """The session's workspace if the user is still a member there, else the user's first workspace."""
    for workspace, role in mine:
        if workspace.id == user_session.workspace_id:
            return workspace, role
    if not mine:
        return None, None
    workspace, role = mine[0]
    user_session.workspace_id = workspace.id
    session.add(user_session)
    return workspace, role


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Double-submit check: the token sent with the form or header must equal the CSRF cookie."""
    expected = request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise Forbidden("The form's security token is missing or out of date. Reload the page and try again.")
