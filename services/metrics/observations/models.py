"""Observations: the values observed for a KPI, per period (day, week, month) and source."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import annotated_types
from pydantic import AfterValidator, BaseModel, ValidationInfo, field_validator
from pydantic import Field as PydanticField
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import MAX_ID, STRICT, Day, FiniteFloat, Id, utcnow
from kit.query import Page
from services.metrics.db import MetricsModel
from services.metrics.kpis.models import Source


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"


MAX_BATCH = 10_000


def _no_nul(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL; refused here it is a 422 instead of a driver error (a 500)."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Note = Annotated[str | None, AfterValidator(_no_nul)]


def period_start_problem(period: Period, start: date) -> str | None:
    """Why `start` cannot begin a `period`, or None: a week starts on Monday, a month on the 1st."""
    if period == Period.week and start.weekday() != 0:
        return f"a week starts on a Monday; {start.isoformat()} is a {start.strftime('%A')}"
    if period == Period.month and start.day != 1:
        return f"a month starts on the 1st; {start.isoformat()} is not"
    return None


class ObservationBase(MetricsModel):
    # No foreign key: the service checks every KPI itself and KPIs are archived, never deleted (the key's trigger
    # made imports three times slower).
    kpi_id: Id
    period: Period = Field(sa_type=enum_type(Period), description="day, week (from Monday) or month (from the 1st)")
    period_start: Day = Field(description="First day of the period")
    value: FiniteFloat = Field(description="The total for the period, not an increment")
    source: Source = Field(default=Source("api"), sa_type=enum_type(Source))
    note: Note = Field(default=None, max_length=2000)


PERIOD_CODES = {period: code for code, period in enumerate(Period)}
SOURCE_CODES = {source: code for code, source in enumerate(Source)}
_DAY_BITS, _SOURCE_BITS = 22, 3  # date.max.toordinal() < 2**22; four sources
# The largest id a key can pack into (a KPI id up to MAX_ID): the bound of the id in a path.
MAX_OBSERVATION_ID = ((MAX_ID + 1) << (2 + _DAY_BITS + _SOURCE_BITS)) - 1


def observation_id(kpi_id: int, period: Period | str, period_start: date, source: Source | str) -> int:
    """The API's id of an observation: its key packed into one integer (exact in JavaScript for KPI ids < 2**26)."""
    packed = (kpi_id << 2 | PERIOD_CODES[Period(period)]) << _DAY_BITS | period_start.toordinal()
    return packed << _SOURCE_BITS | SOURCE_CODES[Source(source)]


def observation_key(observation_id: int) -> tuple[int, Period, date, Source] | None:
    """The key an id stands for, or None if no observation could have it."""
    sources, periods = list(Source), list(Period)
    source = observation_id & (2**_SOURCE_BITS - 1)
    day = (observation_id >> _SOURCE_BITS) & (2**_DAY_BITS - 1)
    period = (observation_id >> (_SOURCE_BITS + _DAY_BITS)) & 3
    kpi_id = observation_id >> (_SOURCE_BITS + _DAY_BITS + 2)
    if not (
        1 <= kpi_id <= MAX_ID and source < len(sources) and period < len(periods) and 1 <= day <= date.max.toordinal()
    ):
        return None
    return kpi_id, periods[period], date.fromordinal(day), sources[source]


class Observation(ObservationBase, table=True):
    """One value per KPI, period and source: the key is the primary key (no serial id, no second index), so
    pushing the same key again replaces the value (an upsert on it); the API's id is derived from it."""

    __tablename__ = "observations"

    kpi_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    period: Period = Field(primary_key=True, sa_type=enum_type(Period))
    period_start: date = Field(primary_key=True)
    source: Source = Field(default=Source("api"), primary_key=True, sa_type=enum_type(Source))
    workspace_id: int  # no index: reads by KPI use the key (it leads with kpi_id); imports stay fast
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def id(self) -> int:
        return observation_id(self.kpi_id, self.period, self.period_start, self.source)


class ObservationCreate(ObservationBase):
    """One value of a KPI for one period; pushing the same KPI, period and source again replaces it."""

    model_config = STRICT

    @field_validator("period_start")
    @classmethod
    def _starts_its_period(cls, value: date, info: ValidationInfo) -> date:
        period = info.data.get("period")  # absent when the period itself was invalid; that error is enough
        problem = period_start_problem(period, value) if period else None
        if problem:
            raise ValueError(problem)
        return value


class ObservationPublic(ObservationBase):
    id: int
    created_at: datetime
    updated_at: datetime


class ObservationPushed(ObservationPublic):
    replaced: bool = Field(description="True if a value for this KPI, period and source existed and was replaced")


class ObservationList(Page[ObservationPublic]):
    pass


class ObservationBatch(BaseModel):
    """Up to many values at once, all or nothing: every bad item is named (observations.<index>.<field>)."""

    model_config = STRICT

    # Items stay raw here and are validated one by one in observations.py, so one answer names every bad item:
    # wrong shape and unusable KPI alike. The schema still documents them as ObservationCreate.
    observations: Annotated[list[Any], annotated_types.Len(1, MAX_BATCH)] = PydanticField(
        json_schema_extra={"items": {"$ref": "#/components/schemas/ObservationCreate"}}
    )


class BatchResult(BaseModel):
    created: int
    replaced: int
