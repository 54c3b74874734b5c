"""Planning periods: the time boxes (a quarter, a sprint) into which actions are planned."""

from __future__ import annotations

import math
from datetime import date, datetime, timezone

from pydantic import field_validator
from sqlmodel import Field

from services.tasks.db import TasksModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _clean_name(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def _finite(value: float | None) -> float | None:
    # json.loads accepts Infinity and NaN; stored, they would come back out of the API as null.
    if value is not None and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


class PeriodBase(TasksModel):
    name: str = Field(min_length=1, max_length=200)
    starts_on: date = Field(description="First day of the period")
    ends_on: date = Field(description="Last day of the period (inclusive); not before starts_on")
    capacity_hours: float | None = Field(default=None, ge=0, description="Hours the team can spend in the period")
    notes: str | None = Field(default=None, max_length=2000)

    @field_validator("name")
    @classmethod
    def _strip_name(cls, v: str) -> str:
        return _clean_name(v)

    @field_validator("capacity_hours")
    @classmethod
    def _finite_capacity(cls, v: float | None) -> float | None:
        return _finite(v)


class Period(PeriodBase, table=True):
    __tablename__ = "periods"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class PeriodCreate(PeriodBase):
    pass


class PeriodUpdate(TasksModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    starts_on: date | None = None
    ends_on: date | None = None
    capacity_hours: float | None = Field(default=None, ge=0)
    notes: str | None = Field(default=None, max_length=2000)

    @field_validator("name")
    @classmethod
    def _strip_name(cls, v: str | None) -> str | None:
        return _clean_name(v)

    @field_validator("capacity_hours")
    @classmethod
    def _finite_capacity(cls, v: float | None) -> float | None:
        return _finite(v)

    # A field validator runs only for fields the caller sent, so the error names the field.
    @field_validator("name", "starts_on", "ends_on", mode="before")
    @classmethod
    def _required_stay_set(cls, v, info):
        if v is None:
            raise ValueError(f"{info.field_name} cannot be null")
        return v


class PeriodPublic(PeriodBase):
    id: int
    archived: bool
    created_at: datetime
    updated_at: datetime


class PeriodList(TasksModel):
    data: list[PeriodPublic]
    count: int
    limit: int
    offset: int
