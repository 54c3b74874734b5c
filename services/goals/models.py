"""Surfaces: the digital surfaces and channels a workspace runs."""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum

from pydantic import field_validator, model_validator
from sqlmodel import Field

from kit.db import enum_type
from services.goals.db import GoalsModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SurfaceKind(StrEnum):
    website = "website"
    web_shop = "web_shop"
    intranet = "intranet"
    customer_portal = "customer_portal"
    app = "app"
    newsletter = "newsletter"
    social_media = "social_media"
    other = "other"


class Cadence(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"
    half_yearly = "half_yearly"
    yearly = "yearly"


def _check_url(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not value.startswith(("http://", "https://")) or len(value) < 10:
        raise ValueError("must be an http:// or https:// address")
    return value


class SurfaceBase(GoalsModel):
    name: str = Field(min_length=1, max_length=200)
    kind: SurfaceKind = Field(sa_type=enum_type(SurfaceKind))
    url: str | None = Field(default=None, max_length=2000)
    owner_id: int | None = Field(default=None, description="User id of a workspace member")
    cadence: Cadence = Field(default=Cadence.quarterly, sa_type=enum_type(Cadence), description="How often the surface is measured")
    period_start: date = Field(description="The day the current measurement period started")

    @field_validator("url")
    @classmethod
    def _url_scheme(cls, v: str | None) -> str | None:
        return _check_url(v)

    @field_validator("name")
    @classmethod
    def _strip_name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("must not be blank")
        return v


class Surface(SurfaceBase, table=True):
    __tablename__ = "surfaces"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SurfaceCreate(SurfaceBase):
    pass


class SurfaceUpdate(GoalsModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: SurfaceKind | None = None
    url: str | None = Field(default=None, max_length=2000)
    owner_id: int | None = None
    cadence: Cadence | None = None
    period_start: date | None = None

    @field_validator("url")
    @classmethod
    def _url_scheme(cls, v: str | None) -> str | None:
        return _check_url(v)

    @model_validator(mode="after")
    def _required_stay_set(self) -> "SurfaceUpdate":
        for name in ("name", "kind", "cadence", "period_start"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class SurfacePublic(SurfaceBase):
    id: int
    archived: bool
    created_at: datetime
    updated_at: datetime
    next_measurement: date = Field(description="When the current cadence period ends")


class SurfaceList(GoalsModel):
    data: list[SurfacePublic]
    count: int
    limit: int
    offset: int
