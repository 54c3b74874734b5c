"""KPIs: the measured quantities a workspace tracks, and which way is better for each."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone
from enum import StrEnum

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field

from kit.db import enum_type
from services.metrics.db import MetricsModel

CURRENCY_CODE = re.compile(r"[A-Z]{3}")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Unit(StrEnum):
    number = "number"
    percent = "percent"
    currency = "currency"
    duration = "duration"


class Direction(StrEnum):
    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"
    target_band = "target_band"


class Aggregation(StrEnum):
    sum = "sum"
    mean = "mean"
    last = "last"
    min = "min"
    max = "max"


class Category(StrEnum):
    input = "input"
    activity = "activity"
    result = "result"


def _clean_name(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def _clean_currency(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip().upper()
    if not CURRENCY_CODE.fullmatch(value):
        raise ValueError("must be a three-letter ISO 4217 code such as NOK")
    return value


def _finite(value: float | None) -> float | None:
    # json.loads accepts Infinity and NaN; stored, they would come back out of the API as null.
    if value is not None and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


class KpiBase(MetricsModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    unit: Unit = Field(default=Unit.number, sa_type=enum_type(Unit))
    currency_code: str | None = Field(default=None, max_length=3,
                                      description="ISO 4217 code; required when unit is currency, else empty")
    direction: Direction = Field(default=Direction.higher_is_better, sa_type=enum_type(Direction))
    aggregation: Aggregation = Field(default=Aggregation.sum, sa_type=enum_type(Aggregation),
                                     description="How observations combine over a period")
    category: Category = Field(sa_type=enum_type(Category),
                               description="input (what is spent), activity (what is done), result (what it achieves)")
    surface_id: int | None = Field(default=None, description="Id of a surface in the goals service")
    owner_id: int | None = Field(default=None, description="User id of a workspace member")
    baseline_value: float | None = None
    baseline_date: date | None = None

    @field_validator("name")
    @classmethod
    def _strip_name(cls, v: str) -> str:
        return _clean_name(v)

    @field_validator("currency_code", mode="before")
    @classmethod
    def _currency(cls, v: str | None) -> str | None:
        return _clean_currency(v) if isinstance(v, str) or v is None else v

    @field_validator("baseline_value")
    @classmethod
    def _finite_baseline(cls, v: float | None) -> float | None:
        return _finite(v)


class Kpi(KpiBase, table=True):
    __tablename__ = "kpis"
    # The service checks names case-insensitively and answers 409; this index stops a race from slipping through.
    __table_args__ = (
        sa.Index("uq_kpis_workspace_active_name", "workspace_id", "name", unique=True,
                 sqlite_where=sa.text("NOT archived"), postgresql_where=sa.text("NOT archived")),
    )

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class KpiCreate(KpiBase):
    pass


class KpiUpdate(MetricsModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    unit: Unit | None = None
    currency_code: str | None = Field(default=None, max_length=3)
    direction: Direction | None = None
    aggregation: Aggregation | None = None
    category: Category | None = None
    surface_id: int | None = None
    owner_id: int | None = None
    baseline_value: float | None = None
    baseline_date: date | None = None

    @field_validator("name")
    @classmethod
    def _strip_name(cls, v: str | None) -> str | None:
        return _clean_name(v)

    @field_validator("currency_code", mode="before")
    @classmethod
    def _currency(cls, v: str | None) -> str | None:
        return _clean_currency(v) if isinstance(v, str) or v is None else v

    @field_validator("baseline_value")
    @classmethod
    def _finite_baseline(cls, v: float | None) -> float | None:
        return _finite(v)

    # A field validator runs only for fields the caller sent, so the error names the field.
    @field_validator("name", "unit", "direction", "aggregation", "category", mode="before")
    @classmethod
    def _required_stay_set(cls, v, info):
        if v is None:
            raise ValueError(f"{info.field_name} cannot be null")
        return v


class KpiPublic(KpiBase):
    id: int
    archived: bool
    created_at: datetime
    updated_at: datetime


class KpiList(MetricsModel):
    data: list[KpiPublic]
    count: int
    limit: int
    offset: int
