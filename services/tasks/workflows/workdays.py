"""Working days: a workspace's working week and its country's public holidays (the `holidays` library).

Shared by workflows (planned dates), runs (re-planning) and retrospectives (actual durations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

WEEKDAYS = "1234567"  # ISO weekdays: 1 = Monday … 7 = Sunday
DEFAULT_WEEK = "12345"


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    if not country:
        return {}
    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=[year], language="en_US")
    except NotImplementedError:
        return {}
    return dict(found.items())


def known_country(country: str) -> bool:
    """Whether the holidays library knows this ISO 3166 country code."""
    return country.upper() in holidays.list_supported_countries()


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are worked: the weekdays in `week` that are not public holidays of `country`."""

    week: str = DEFAULT_WEEK
    country: str = ""
    subdivision: str | None = None
    extra_days_off: frozenset[date] = field(default_factory=frozenset)
    zone: str = "UTC"  # the workspace's time zone (reminders place their notices in it)

    def holiday(self, day: date) -> str | None:
        """The name of the public holiday on `day`, if it is one."""
        return _public_holidays(self.country.upper(), self.subdivision, day.year).get(day)

    def is_working(self, day: date) -> bool:
        """A working weekday that is no holiday."""
        return str(day.isoweekday()) in self.week and day not in self.extra_days_off and self.holiday(day) is None

    def roll(self, day: date, *, earlier: bool) -> date:
        """`day` if worked, else the nearest working day before it (earlier) or after it."""
        step = timedelta(days=-1 if earlier else 1)
        for _ in range(366):
            if self.is_working(day):
                return day
            day += step
        raise ValueError("no working day within a year: the working week is empty")

    def add(self, day: date, n: int) -> date:
        """The date `n` working days after `day` (before it when n < 0); 0 rolls nothing."""
        step = timedelta(days=1 if n > 0 else -1)
        left = abs(n)
        while left:
            day += step
            if self.is_working(day):
                left -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days from `start` to `end`: how many working days after start end falls (negative if before)."""
        if end == start:
            return 0
        sign = 1 if end > start else -1
        lo, hi = (start, end) if sign > 0 else (end, start)
        count = 0
        day = lo
        while day < hi:
            day += timedelta(days=1)
            if self.is_working(day):
                count += 1
        return sign * count

    def days_off(self, start: date, end: date) -> list[tuple[date, str]]:
        """Every non-working day from start to end inclusive, with why (the holiday's name or 'weekend')."""
        out = []
        day = start
        while day <= end:
            if not self.is_working(day):
                out.append((day, self.holiday(day) or "weekend"))
            day += timedelta(days=1)
        return out
