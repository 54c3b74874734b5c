"""KPIs: the measured quantities a workspace tracks, and which way is better for each."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BeforeValidator, field_validator
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import Id, Name, OptionalFiniteFloat, OptionalName, not_null, utcnow
from kit.pagination import Page
from services.metrics.db import MetricsModel

CURRENCY_CODE = re.compile(r"[A-Z]{3}")


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


def _clean_currency(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # None, or a wrong type the str check then names
    value = value.strip().upper()
    if not value:
        return None
    if not CURRENCY_CODE.fullmatch(value):
        raise ValueError("must be a three-letter ISO 4217 code such as NOK")
    return value


# Before the str checks, so " nok " is trimmed before max_length counts it.
CurrencyCode = Annotated[str | None, BeforeValidator(_clean_currency)]


class KpiBase(MetricsModel):
    name: Name = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    unit: Unit = Field(default=Unit.number, sa_type=enum_type(Unit))
    currency_code: CurrencyCode = Field(default=None, max_length=3,
                                        description="ISO 4217 code; required when unit is currency, else empty")
    direction: Direction = Field(default=Direction.higher_is_better, sa_type=enum_type(Direction))
    aggregation: Aggregation = Field(default=Aggregation.sum, sa_type=enum_type(Aggregation),
                                     description="How observations combine over a period")
    category: Category = Field(sa_type=enum_type(Category),
                               description="input (what is spent), activity (what is done), result (what it achieves)")
    surface_id: Id | None = Field(default=None, description="Id of a surface in the goals service")
    owner_id: Id | None = Field(default=None, description="User id of a workspace member")
    baseline_value: OptionalFiniteFloat = None
    baseline_date: date | None = None


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
    name: OptionalName = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    unit: Unit | None = None
    currency_code: CurrencyCode = Field(default=None, max_length=3)
    direction: Direction | None = None
    aggregation: Aggregation | None = None
    category: Category | None = None
    surface_id: Id | None = None
    owner_id: Id | None = None
    baseline_value: OptionalFiniteFloat = None
    baseline_date: date | None = None

    _required_stay_set = field_validator("name", "unit", "direction", "aggregation", "category",
                                         mode="before")(not_null)


class KpiPublic(KpiBase):
    id: int
    archived: bool
    created_at: datetime
    updated_at: datetime


class KpiList(Page[KpiPublic]):
    pass
