"""Request and answer bodies of the gateway's own API: workspaces, their settings, members and tokens."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, EmailStr, Field, field_validator

from gateway.models import ApiTokenPublic, MemberPublic, WorkspacePublic, check_country, check_timezone
from kit.fields import STRICT, no_nul
from kit.query import Page
from kit.roles import Role


class WorkspaceMembership(WorkspacePublic):
    """A workspace the caller belongs to, with the caller's role there."""

    role: Role


class WorkspaceList(Page[WorkspaceMembership]):
    """The caller's workspaces (an API token: only its own), by name."""


class WorkspaceUpdate(BaseModel):
    """The workspace's settings; only the fields sent change. `country` may be null (no country)."""

    model_config = STRICT

    name: str = Field(default=None, min_length=1, max_length=200)  # type: ignore[assignment]
    timezone: str = Field(default=None, max_length=64, description="IANA time zone")  # type: ignore[assignment]
    country: str | None = Field(default=None, max_length=2, description="ISO 3166-1 alpha-2 code, or null")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be blank")
        return no_nul(v)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return check_timezone(v)

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        return check_country(v)


class MemberList(Page[MemberPublic]):
    """The workspace's members, owners first, then by email."""


class MemberCreate(BaseModel):
    """A person to add by email; a new account gets a one-time password in the answer."""

    model_config = STRICT

    email: EmailStr
    name: Annotated[str, AfterValidator(no_nul)] = Field(default="", max_length=200)
    role: Role = Role.editor


class MemberAdded(MemberPublic):
    """The member added; `temporary_password` is set (once) when the account was made for them."""

    temporary_password: str | None = None


class MemberUpdate(BaseModel):
    """A member's new role. Only owners give or take the owner role; the last owner keeps it."""

    model_config = STRICT

    role: Role


class TokenList(Page[ApiTokenPublic]):
    """The workspace's API tokens (admins see all, others their own), newest first."""


class TokenCreated(ApiTokenPublic):
    """A new token; `token` is its secret, shown this once and never again."""

    token: str
