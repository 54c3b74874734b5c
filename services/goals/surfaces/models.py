"""Surfaces: the digital surfaces and channels a workspace runs."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import STRICT, Day, Id, Name, utcnow
from kit.query import Page
from services.goals.db import GoalsModel


class SurfaceKind(StrEnum):
    """What kind of digital surface or channel it is."""

    website = "website"
    web_shop = "web_shop"
    intranet = "intranet"
    customer_portal = "customer_portal"
    app = "app"
    newsletter = "newsletter"
    social_media = "social_media"
    other = "other"


class Cadence(StrEnum):
    """How often a surface is measured and reviewed."""

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


Url = Annotated[str | None, AfterValidator(_check_url)]


class SurfaceBase(GoalsModel):
    name: Name = Field(min_length=1, max_length=200)
    kind: SurfaceKind = Field(sa_type=enum_type(SurfaceKind))
    url: Url = Field(default=None, max_length=2000)
    owner_id: Id | None = Field(default=None, description="User id of a workspace member")
    cadence: Cadence = Field(
        default=Cadence.quarterly, sa_type=enum_type(Cadence), description="How often the surface is measured"
    )
    period_start: Day = Field(description="The day the current measurement period started")


class Surface(SurfaceBase, table=True):
    __tablename__ = "surfaces"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SurfaceCreate(SurfaceBase):
    """A new surface. `owner_id` must be a member of the workspace."""

    model_config = STRICT


class SurfaceUpdate(GoalsModel):
    """Changes to a surface: only the fields sent change. `url` and `owner_id` may be null (none)."""

    model_config = STRICT

    # Not nullable: left out they stay as they are; a null is refused as invalid.
    name: Name = Field(default=None, min_length=1, max_length=200)
    kind: SurfaceKind = Field(default=None)
    url: Url = Field(default=None, max_length=2000)
    owner_id: Id | None = None
    cadence: Cadence = Field(default=None)
    period_start: Day = Field(default=None)


class SurfacePublic(SurfaceBase):
    """A surface as the API shows it."""

    id: int
    archived: bool
    created_at: datetime
    updated_at: datetime
    next_measurement: date = Field(description="When the current cadence period ends")


class SurfaceList(Page[SurfacePublic]):
    """A page of surfaces."""
