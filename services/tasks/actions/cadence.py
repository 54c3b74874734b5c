"""Dates of the loop: a KPI's periods, an action's evaluation window, and the cadence check (seed 000: plan so
that the next measurement can show the change, or it will show no difference)."""

from __future__ import annotations

from datetime import date, timedelta

from kit.dates import CADENCE_MONTHS, add_months, next_period_end
from services.tasks.actions.models import CadenceFlag

DEFAULT_WINDOW = 3
# Periods of a KPI that one measurement period of the surface holds.
PER_CADENCE = {
    "day": {"monthly": 30, "quarterly": 90, "half_yearly": 180, "yearly": 365},
    "week": {"monthly": 4, "quarterly": 13, "half_yearly": 26, "yearly": 52},
}


def grain_of(expected_frequency: str | None) -> str:
    """The period a KPI is judged by: its expected frequency (a quarter counts in months), else month."""
    return expected_frequency if expected_frequency in ("day", "week") else "month"


def period_start(day: date, grain: str) -> date:
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def add_periods(start: date, grain: str, n: int) -> date:
    """The start of the period n periods after the one starting at `start`."""
    if grain == "day":
        return start + timedelta(days=n)
    if grain == "week":
        return start + timedelta(weeks=n)
    return add_months(start, n)


def default_window(cadence: str | None, grain: str | None) -> int:
    """The KPI's periods in one measurement period of the surface, less the one the action is done in (at least
    one): what fits before the next measurement when the action is done early (3 when either is unknown)."""
    if cadence not in CADENCE_MONTHS or grain is None:
        return DEFAULT_WINDOW
    if grain == "month":
        return max(1, CADENCE_MONTHS[cadence] - 1)
    return max(1, min(36, PER_CADENCE[grain][cadence] - 1))


def window_end(completes_on: date, grain: str, periods: int) -> date:
    """Last day of the evaluation window: the `periods` whole periods after the one the action completes in."""
    first = add_periods(period_start(completes_on, grain), grain, 1)
    return add_periods(first, grain, periods) - timedelta(days=1)


def check(
    *,
    completes_on: date | None,
    grain: str | None,
    periods: int | None,
    cadence: str | None,
    anchor: date | None,
) -> CadenceFlag | None:
    """Flag an action whose window ends after the surface's next measurement following its completion: that
    measurement will show no difference yet. None when a date or the cadence is missing.

    Measurements fall on the ends of the surface's cadence periods counted from its period start (`anchor`)."""
    if completes_on is None or cadence not in CADENCE_MONTHS or anchor is None:
        return None
    grain = grain or "month"
    periods = periods or default_window(cadence, grain)
    ends = window_end(completes_on, grain, periods)
    next_measurement = next_period_end(anchor, cadence, completes_on)
    first_shows = next_period_end(anchor, cadence, ends)
    return CadenceFlag(
        flagged=first_shows > next_measurement,
        completes_on=completes_on,
        window_ends_on=ends,
        next_measurement_on=next_measurement,
        first_shows_on=first_shows,
    )
