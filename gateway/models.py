"""Users, workspaces, memberships, API tokens and browser sessions."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, EmailStr, field_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from gateway.db import GatewayModel
from kit.db import enum_type
from kit.fields import STRICT, OptionalMoment, no_nul
from kit.roles import Role

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$")


def utcnow() -> datetime:
    return datetime.now(UTC)


class User(GatewayModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=255)
    locale: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow)


class UserCreate(GatewayModel):
    email: EmailStr
    name: Annotated[str, AfterValidator(no_nul)] = Field(default="", max_length=200)
    password: str = Field(min_length=10, max_length=200)

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.strip().lower()


class UserPublic(GatewayModel):
    """A user as others see them."""

    id: int
    email: str
    name: str


class Workspace(GatewayModel, table=True):
    __tablename__ = "workspaces"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=48, unique=True, index=True)
    timezone: str = Field(default="Europe/Oslo", max_length=64)
    country: str | None = Field(default=None, max_length=2)
    created_at: datetime = Field(default_factory=utcnow)


def check_timezone(v: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("unknown time zone") from None
    return v


def check_country(v: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code (e.g. NO), as Babel knows it."""
    if v is None:
        return None
    from babel import Locale

    v = v.strip().upper()
    if len(v) != 2 or v not in Locale("en").territories:
        raise ValueError("use an ISO 3166-1 alpha-2 country code such as NO, SE or FI")
    return v


class WorkspaceCreate(GatewayModel):
    """A new workspace; its creator becomes its first owner."""

    model_config = STRICT

    name: str = Field(min_length=1, max_length=200)
    slug: str | None = Field(default=None, max_length=48, description="Short name in URLs; made from the name if null")
    timezone: str = Field(default="Europe/Oslo", max_length=64, description="IANA time zone")
    country: str | None = Field(default=None, max_length=2, description="ISO 3166-1 alpha-2 code, or null")

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return check_country(v)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be blank")
        return no_nul(v)

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        v = v.strip().lower()
        if not SLUG_RE.match(v):
            raise ValueError("use 1–48 lowercase letters, digits and dashes, not starting or ending with a dash")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return check_timezone(v)


class WorkspacePublic(GatewayModel):
    """A workspace: the unit every record, member and token belongs to."""

    id: int
    name: str
    slug: str
    timezone: str = Field(description="IANA time zone: 'today' and so the current period are this zone's")
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 code (public holidays), or null")


class Membership(GatewayModel, table=True):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    role: Role = Field(sa_type=enum_type(Role))
    created_at: datetime = Field(default_factory=utcnow)


class MemberPublic(GatewayModel):
    """A member of a workspace and their role there."""

    user_id: int
    email: str
    name: str
    role: Role


class ApiToken(GatewayModel, table=True):
    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(foreign_key="workspaces.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    role: Role = Field(sa_type=enum_type(Role))
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiTokenCreate(GatewayModel):
    """A new API token: bound to the workspace, with a role no higher than its creator's."""

    model_config = STRICT

    name: str = Field(min_length=1, max_length=100)
    role: Role = Role.viewer
    expires_at: OptionalMoment = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be blank")
        return no_nul(v)


class ApiTokenPublic(GatewayModel):
    """An API token as listed: never its secret."""

    id: int
    name: str
    role: Role
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_by: str | None = None


class UserSession(GatewayModel, table=True):
    __tablename__ = "user_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    workspace_id: int | None = Field(default=None, foreign_key="workspaces.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
