"""Planning periods: the time boxes (a quarter, a sprint) into which actions are planned."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, field_validator
from sqlmodel import Field

from kit.fields import STRICT, Day, FiniteFloat, Id, Name, OptionalFiniteFloat, OptionalText, not_null, utcnow
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


class PeriodCapacity(TasksModel, table=True):
    """The hours one person can spend in a period (optional: a period may have none, or only some people's)."""

    __tablename__ = "period_capacities"

    period_id: int = Field(primary_key=True)
    owner_id: int = Field(primary_key=True, description="User id of a workspace member")
    workspace_id: int = Field(index=True)
    hours: float


class PersonCapacity(BaseModel):
    model_config = STRICT

    owner_id: Id = Field(description="User id of a workspace member")
    capacity_hours: FiniteFloat = Field(ge=0, description="Hours this person can spend in the period")


class CapacityIn(BaseModel):
    """A period's capacity: the team's hours and, optionally, each person's; the people sent replace the ones
    set before (a person left out has no capacity of their own any more)."""

    model_config = STRICT

    capacity_hours: OptionalFiniteFloat = Field(default=None, ge=0, description="Hours the team can spend")
    people: list[PersonCapacity] = Field(default_factory=list, max_length=500)


class CapacityPublic(BaseModel):
    period_id: int
    capacity_hours: float | None
    people: list[PersonCapacity]
