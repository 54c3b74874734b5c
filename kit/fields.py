"""Field types and checks that every service's models share."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Annotated, Any

import annotated_types
from pydantic import AfterValidator, ConfigDict, Field, ValidationInfo

# The config of every request body (Create, Update, …): a field the model does not know is a 422 naming it,
# never silently dropped ("aggregaton": "mean" must not fall back to the default).
STRICT = ConfigDict(extra="forbid")


def utcnow() -> datetime:
    return datetime.now(UTC)


def clean_name(value: str | None) -> str | None:
    """Strip a name; refuse one that is only whitespace."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return no_nul(value)


def no_nul(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL: refuse it as invalid input rather than fail in the driver."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def finite(value: Any) -> Any:
    """JSON parsers accept Infinity and NaN; stored, they would come back out of the API as null."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def not_null(value: Any, info: ValidationInfo) -> Any:
    """For Update models (mode="before"): a required field may be left out, not set to null.

    A field validator runs only for fields the caller sent, so the error names the field."""
    if value is None:
        raise ValueError(f"{info.field_name} cannot be null")
    return value


# PostgreSQL's integer: an id or offset beyond it is a 422, not an overflow deep in the driver (a 500).
MAX_ID = 2**31 - 1
Id = Annotated[int, annotated_types.Ge(1), annotated_types.Le(MAX_ID)]

Name = Annotated[str, AfterValidator(clean_name)]
OptionalName = Annotated[str | None, AfterValidator(clean_name)]
OptionalText = Annotated[str | None, AfterValidator(no_nul)]

# Every number the API takes: far beyond any KPI's figure (a quadrillion), and small enough that sums, formulas
# and every formatter on the way to a page stay exact enough and never overflow (1e28 broke Babel's).
MAX_VALUE = 1e15


def _within_max(value: float) -> float:
    if not -MAX_VALUE <= value <= MAX_VALUE:
        raise ValueError(f"must be between -{MAX_VALUE:.0e} and {MAX_VALUE:.0e}")
    return value


def _max_range(schema: dict[str, Any]) -> None:
    # Only where the field has no tighter bound of its own (a weight's ge=0 stays the documented minimum).
    schema.setdefault("minimum", -MAX_VALUE)
    schema.setdefault("maximum", MAX_VALUE)


# The bound is a validator, not Ge/Le metadata: a field's own ge=0 would otherwise be overridden by it.
FiniteFloat = Annotated[float, Field(allow_inf_nan=False, json_schema_extra=_max_range), AfterValidator(_within_max)]
OptionalFiniteFloat = FiniteFloat | None

# Every date the API takes: period arithmetic (the end of a period, the next one) stays inside what Python's
# date can hold (9999-12-01 + one month was a 500), and the calendar stays one people plan in.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2200, 12, 31)
DAY_RANGE = {"formatMinimum": FIRST_DAY.isoformat(), "formatMaximum": LAST_DAY.isoformat()}
Day = Annotated[date, annotated_types.Ge(FIRST_DAY), annotated_types.Le(LAST_DAY), Field(json_schema_extra=DAY_RANGE)]
OptionalDay = Day | None
FIRST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
LAST_MOMENT = datetime(2200, 12, 31, 23, 59, 59, tzinfo=UTC)


def bounded_moment(value: datetime | None) -> datetime | None:
    """A moment within the same years as Day (naive ones are taken as UTC)."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    if not FIRST_MOMENT <= aware <= LAST_MOMENT:
        raise ValueError(f"must be between {FIRST_DAY.year} and {LAST_DAY.year}")
    return value


MOMENT_RANGE = {"formatMinimum": FIRST_MOMENT.isoformat(), "formatMaximum": LAST_MOMENT.isoformat()}
Moment = Annotated[datetime, AfterValidator(bounded_moment), Field(json_schema_extra=MOMENT_RANGE)]
OptionalMoment = Moment | None
