"""Single sign-on with OpenID Connect: the authorization-code flow (PKCE, state, nonce) against one issuer
configured per installation, and the rules for who may come in (a verified email in an allowed domain)."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlmodel import Session, select

from gateway import accounts
from gateway.config import GatewaySettings
from gateway.models import Membership, User, Workspace
from kit.errors import Problem
from kit.roles import Role

PENDING_SECONDS = 600
DISCOVERY_SECONDS = 3600
_PREFIX = "effekt:oidc:pending:"


class SignInRefused(Problem):
    """The provider's answer cannot sign anyone in; `reason` says why, for the page to explain."""

    status, title, slug = 400, "Single sign-on failed", "sso-failed"

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the provider says signed in."""

    subject: str
    email: str
    name: str


class OidcClient:
    """Talks to the installation's provider; discovery and keys are cached for an hour."""

    def __init__(self, cfg: GatewaySettings, redis):
        self.cfg = cfg
        self.redis = redis
        self._discovery: tuple[float, dict] | None = None

    async def _metadata(self, http: httpx.AsyncClient) -> dict:
        if self._discovery and self._discovery[0] > time.monotonic():
            return self._discovery[1]
        issuer = self.cfg.oidc_issuer.rstrip("/")
        answer = await http.get(f"{issuer}/.well-known/openid-configuration")
        answer.raise_for_status()
        meta = answer.json()
        meta["jwks"] = (await http.get(meta["jwks_uri"])).raise_for_status().json()
        self._discovery = (time.monotonic() + DISCOVERY_SECONDS, meta)
        return meta

    async def start(self, *, redirect_uri: str, next_url: str) -> tuple[str, str]:
        """The provider's authorization URL and the state that must come back with the browser."""
        state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        async with httpx.AsyncClient(timeout=10) as http:
            meta = await self._metadata(http)
        pending = {"nonce": nonce, "verifier": verifier, "next": next_url, "redirect_uri": redirect_uri}
        await self.redis.set(_PREFIX + state, json.dumps(pending), ex=PENDING_SECONDS)
        query = {
            "response_type": "code",
            "client_id": self.cfg.oidc_client_id,
            "redirect_uri": redirect_uri,
            "scope": self.cfg.oidc_scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return f"{meta['authorization_endpoint']}?{urlencode(query)}", state

    async def _take_pending(self, state: str) -> dict:
        pipe = self.redis.pipeline()
        pipe.get(_PREFIX + state)
        pipe.delete(_PREFIX + state)
        raw, _ = await pipe.execute()
        if raw is None:
            raise SignInRefused("state", "The sign-in took too long or was started elsewhere.")
        return json.loads(raw)

    async def finish(self, *, state: str, cookie_state: str | None, code: str) -> tuple[Identity, str]:
        """Check the state, exchange the code, verify the ID token; returns who signed in and where to go."""
        if not cookie_state or not secrets.compare_digest(state, cookie_state):
            raise SignInRefused("state", "The sign-in was started in another browser or tab.")
        pending = await self._take_pending(state)
        async with httpx.AsyncClient(timeout=10) as http:
            meta = await self._metadata(http)
            tokens = await self._exchange(http, meta, code, pending)
            claims = self._verify_id_token(meta, tokens.get("id_token", ""), pending["nonce"])
            if "email" not in claims and meta.get("userinfo_endpoint"):
                info = await http.get(
                    meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}
                )
                extra = info.json() if info.status_code == 200 else {}
                if extra.get("sub") == claims["sub"]:
                    claims = {**extra, **claims}
        return self._identity(claims), pending["next"]

    async def _exchange(self, http: httpx.AsyncClient, meta: dict, code: str, pending: dict) -> dict:
        answer = await http.post(
            meta["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": pending["redirect_uri"],
                "code_verifier": pending["verifier"],
            },
            auth=(self.cfg.oidc_client_id, self.cfg.oidc_client_secret),
        )
        if answer.status_code != 200:
            raise SignInRefused("code", "The provider refused the sign-in code (it was used or has expired).")
        return answer.json()

    def _verify_id_token(self, meta: dict, id_token: str, nonce: str) -> dict:
        try:
            token = jwt.decode(id_token, KeySet.import_key_set(meta["jwks"]))
            jwt.JWTClaimsRegistry(
                leeway=60,
                iss={"essential": True, "value": meta["issuer"]},
                aud={"essential": True, "value": self.cfg.oidc_client_id},
                sub={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise SignInRefused("token", "The provider's ID token could not be verified.") from exc
        return dict(token.claims)

    def _identity(self, claims: dict) -> Identity:
        email = accounts.normalise_email(str(claims.get("email") or ""))
        if not email or claims.get("email_verified") is not True:
            raise SignInRefused("unverified", "The provider has not verified this email address.")
        allowed = self.cfg.oidc_domains()
        if allowed and email.rpartition("@")[2] not in allowed:
            raise SignInRefused("domain", "Accounts from this email domain may not sign in here.")
        return Identity(subject=str(claims["sub"]), email=email, name=str(claims.get("name") or ""))


def sign_in_user(*, session: Session, identity: Identity, join_slug: str | None, join_role: Role) -> User:
    """The account with the verified email (made if new), a member of the auto-join workspace when one is set."""
    user = accounts.get_user_by_email(session=session, email=identity.email)
    if user is None:
        # No password: the hash never verifies, so this account signs in only through the provider.
        user = User(email=identity.email, name=identity.name[:200], password_hash="!oidc")
        session.add(user)
        session.flush()
    if join_slug:
        workspace = session.exec(select(Workspace).where(Workspace.slug == join_slug)).first()
        member = (
            workspace
            and session.exec(
                select(Membership).where(Membership.workspace_id == workspace.id, Membership.user_id == user.id)
            ).first()
        )
        if workspace is not None and member is None:
            session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=join_role))
            session.flush()
    return user
