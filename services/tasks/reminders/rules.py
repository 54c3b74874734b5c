"""The time rules of reminders, pure: when each notice of a deadline goes out, in the workspace's zone and hours.

- A task due on day D is due at the end of D's working hours (local time), its *deadline*.
- "Due in 24 h" and "due in 48 h" go out 24 and 48 hours of wall-clock time before the deadline (the same local
  time one and two days earlier, so a DST change never shifts them by an hour). One that would fall in the night
  or on a non-working day (weekend, public holiday) goes out at the start of the previous working day: the start
  of the same day when it is a working day and the moment is after hours, else the start of the nearest earlier
  working day. The 48-h notice stays a working day before the 24-h one when both would land on the same start.
- "Overdue" goes out at the deadline (or, when that is outside working time, at the start of the next working
  day), then at the start of every following working day until the task is done or re-dated.
- "Escalated" goes to the run's owner once the task is the workspace's number of working hours overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.tasks.workflows.workdays import WorkCalendar

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Hours:
    """Working hours of a day, local: reminders go out inside [start, end]."""

    start: time = time(8)
    end: time = time(16)

    @classmethod
    def of_minutes(cls, start: int, end: int) -> Hours:
        return cls(time(start // 60, start % 60), time(end // 60, end % 60))


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone)


def to_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _inside(moment: datetime, cal: WorkCalendar, hours: Hours) -> bool:
    return cal.is_working(moment.date()) and hours.start <= moment.time() <= hours.end


def earlier_working(moment: datetime, cal: WorkCalendar, hours: Hours) -> datetime:
    """`moment` if inside working time, else the start of the working day before it (never later)."""
    if _inside(moment, cal, hours):
        return moment
    day = moment.date()
    if cal.is_working(day) and moment.time() > hours.end:
        return at(day, hours.start, moment.tzinfo)
    return at(cal.roll(day - DAY, earlier=True), hours.start, moment.tzinfo)


def later_working(moment: datetime, cal: WorkCalendar, hours: Hours) -> datetime:
    """`moment` if inside working time, else the start of the next working day (never earlier)."""
    if _inside(moment, cal, hours):
        return moment
    day = moment.date()
    if cal.is_working(day) and moment.time() < hours.start:
        return at(day, hours.start, moment.tzinfo)
    return at(cal.roll(day + DAY, earlier=False), hours.start, moment.tzinfo)


def add_working_hours(moment: datetime, count: int, cal: WorkCalendar, hours: Hours) -> datetime:
    """The moment `count` working hours after `moment` (counted inside working time only)."""
    here = later_working(moment, cal, hours)
    left = timedelta(hours=count)
    for _ in range(3660):
        room = at(here.date(), hours.end, here.tzinfo) - here  # wall-clock, as the day's hours are
        if left <= room:
            return here + left
        left -= room
        here = at(cal.roll(here.date() + DAY, earlier=False), hours.start, here.tzinfo)
    raise ValueError("no working time within ten years")


def deadline(due_on: date, zone: ZoneInfo, hours: Hours) -> datetime:
    return at(due_on, hours.end, zone)


def plan(
    due_on: date, *, now: datetime, cal: WorkCalendar, zone: ZoneInfo, hours: Hours, escalate_after: int
) -> list[tuple[str, datetime]]:
    """(kind, fire_at in UTC) of a deadline's notices; due notices whose time has passed are left out."""
    end = deadline(due_on, zone, hours)
    f24 = earlier_working(end - DAY, cal, hours)
    f48 = earlier_working(end - 2 * DAY, cal, hours)
    if f48 >= f24:
        f48 = at(cal.roll(f24.date() - DAY, earlier=True), hours.start, zone)
    out = [(kind, to_utc(moment)) for kind, moment in (("due_48h", f48), ("due_24h", f24))]
    late = to_utc(now)
    out = [(kind, moment) for kind, moment in out if moment > late]
    out.append(("overdue", to_utc(later_working(end, cal, hours))))
    out.append(("escalated", to_utc(add_working_hours(end, escalate_after, cal, hours))))
    return out


def next_overdue(now: datetime, cal: WorkCalendar, zone: ZoneInfo, hours: Hours) -> datetime:
    """The next daily overdue notice: the start of the first working day after today (local), in UTC."""
    today = now.astimezone(zone).date()
    return to_utc(at(cal.roll(today + DAY, earlier=False), hours.start, zone))
