"""Planning periods: the time boxes (a quarter, a sprint) into which actions are planned."""

from __future__ import annotations

from datetime import datetime

from pydantic import field_validator
from sqlmodel import Field

from kit.fields import STRICT, Day, Name, OptionalFiniteFloat, OptionalText, not_null, utcnow
from kit.query import Page
from services.tasks.db import TasksModel


class PeriodBase(TasksModel):
    name: Name = Field(min_length=1, max_length=200)
    starts_on: Day = Field(description="First day of the period")
    ends_on: Day = Field(description="Last day of the period (inclusive); not before starts_on")
    capacity_hours: OptionalFiniteFloat = Field(
        default=None, ge=0, description="Hours the team can spend in the period"
    )
    notes: OptionalText = Field(default=None, max_length=2000)


class Period(PeriodBase, table=True):
    __tablename__ = "periods"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class PeriodCreate(PeriodBase):
    model_config = STRICT


class PeriodUpdate(TasksModel):
    """Changes to a period: only the fields sent change; name and dates may be left out, not set to null."""

    model_config = STRICT

    name: Name = Field(default=None, min_length=1, max_length=200)
    starts_on: Day = None
    ends_on: Day = None
    capacity_hours: OptionalFiniteFloat = Field(default=None, ge=0)
    notes: OptionalText = Field(default=None, max_length=2000)

    _required_stay_set = field_validator("name", "starts_on", "ends_on", mode="before")(not_null)


class PeriodPublic(PeriodBase):
    id: int
    archived: bool
    created_at: datetime
    updated_at: datetime


class PeriodList(Page[PeriodPublic]):
    pass
