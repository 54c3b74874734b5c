"""Field types and checks that every service's models share."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

import annotated_types
from pydantic import AfterValidator, ConfigDict, ValidationInfo

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


def finite(value: float | None) -> float | None:
    """JSON parsers accept Infinity and NaN; stored, they would come back out of the API as null."""
    if value is not None and not math.isfinite(value):
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
FiniteFloat = Annotated[float, AfterValidator(finite)]
OptionalFiniteFloat = Annotated[float | None, AfterValidator(finite)]
