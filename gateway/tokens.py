"""API tokens: shown once, stored hashed, bound to one workspace and a role no higher than the creator's."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from gateway.accounts import hash_secret
from gateway.models import ApiToken, ApiTokenCreate, ApiTokenPublic, Membership, User, Workspace, utcnow
from kit.dates import as_utc
from kit.errors import Forbidden, Invalid, NotFound, field_error
from kit.roles import Role

TOKEN_PREFIX = "efk_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What a valid token allows: who, where, and with which role."""

    token_id: int
    user_id: int
    workspace_id: int
    role: Role
    timezone: str = "UTC"


def create_token(
    *, session: Session, workspace_id: int, user_id: int, creator_role: Role, data: ApiTokenCreate
) -> tuple[ApiToken, str]:
    """Create a token; returns it with the raw secret, which is never shown again."""
    if not creator_role.at_least(data.role):
        raise Invalid(
            "A token cannot have a higher role than its creator.",
            errors=[field_error("role", f"at most {creator_role.value}")],
        )
    if data.expires_at is not None and as_utc(data.expires_at) <= utcnow():
        raise Invalid("The expiry must be in the future.", errors=[field_error("expires_at", "must be in the future")])
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        workspace_id=workspace_id,
        user_id=user_id,
        name=data.name,
        role=data.role,
        token_hash=hash_secret(raw),
        prefix=raw[:10],
        expires_at=data.expires_at,
    )
    session.add(token)
    session.flush()
    return token, raw


def list_tokens(*, session: Session, workspace_id: int, user_id: int | None = None) -> list[ApiTokenPublic]:
    """The workspace's tokens (only those `user_id` created, if given), newest first, live and revoked."""
    query = (
        select(ApiToken, User.email)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.workspace_id == workspace_id)
    )
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    rows = session.exec(query.order_by(ApiToken.id.desc())).all()
    return [ApiTokenPublic.model_validate(t, update={"created_by": email}) for t, email in rows]


REVOKE_DENIED = "Only the person who created a token, or an admin, can revoke it."


def revoke_token(
    *,
    session: Session,
    workspace_id: int,
    token_id: int,
    actor_id: int,
    actor_role: Role,
) -> ApiToken:
    """Revoke a token of this workspace: its creator or an admin may; a foreign id is NotFound."""
    token = session.get(ApiToken, token_id)
    if token is None or token.workspace_id != workspace_id:
        raise NotFound(f"No token {token_id} in this workspace.")
    if token.user_id != actor_id and not actor_role.at_least(Role.admin):
        raise Forbidden(REVOKE_DENIED)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
    return token


def resolve_token(*, session: Session, raw: str) -> TokenGrant | None:
    """The grant of a live token, capped by its creator's current role; None if unusable."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    row = session.exec(
        select(ApiToken, Membership.role, Workspace.timezone)
        .join(Membership, (Membership.user_id == ApiToken.user_id) & (Membership.workspace_id == ApiToken.workspace_id))
        .join(Workspace, Workspace.id == ApiToken.workspace_id)
        .where(ApiToken.token_hash == hash_secret(raw))
    ).first()
    if row is None:
        return None
    token, member_role, zone = row
    now = utcnow()
    if token.revoked_at is not None or (token.expires_at is not None and as_utc(token.expires_at) <= now):
        return None
    if token.last_used_at is None or as_utc(token.last_used_at) < now - LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.add(token)
    role = min(Role(token.role), Role(member_role), key=lambda r: r.rank)
    return TokenGrant(
        token_id=token.id, user_id=token.user_id, workspace_id=token.workspace_id, role=role, timezone=zone
    )
