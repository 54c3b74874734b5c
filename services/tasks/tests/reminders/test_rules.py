"""The time rules: night and non-working days go to the start of the previous working day, holidays count as
days off, DST weeks in Europe/Oslo keep the local hour, overdue once then daily, escalation in working hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from services.tasks.reminders.rules import Hours, earlier_working, later_working, next_overdue, plan, zone_of
from services.tasks.workflows.workdays import WorkCalendar

OSLO = zone_of("Europe/Oslo")
NO = WorkCalendar(country="NO", zone="Europe/Oslo")
HOURS = Hours()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=OSLO)


def planned(due: date, now: datetime | None = None, cal=NO, hours=HOURS, escalate_after=8) -> dict[str, datetime]:
    now = now or utc(2026, 1, 1)
    return dict(plan(due, now=now, cal=cal, zone=OSLO, hours=hours, escalate_after=escalate_after))


def test_an_ordinary_week_reminds_at_the_deadline_hour_one_and_two_days_before():
    got = planned(date(2026, 6, 24))  # a Wednesday, summer time (UTC+2)
    assert got == {
        "due_48h": utc(2026, 6, 22, 14),  # Monday 16:00 local
        "due_24h": utc(2026, 6, 23, 14),
        "overdue": utc(2026, 6, 24, 14),  # the deadline: the end of the due day's working hours
        "escalated": utc(2026, 6, 25, 14),  # eight working hours later: Thursday 08:00 to 16:00
    }


def test_a_weekend_reminder_goes_out_at_the_start_of_the_previous_working_day():
    got = planned(date(2026, 6, 29))  # a Monday: 24 h before is Sunday, 48 h before Saturday
    assert got["due_24h"] == utc(2026, 6, 26, 6)  # Friday 08:00 local
    assert got["due_48h"] == utc(2026, 6, 25, 6)  # a working day before the 24-h notice: Thursday 08:00
    assert got["overdue"] == utc(2026, 6, 29, 14)


def test_night_moves_to_the_start_of_the_working_day_before_it():
    assert earlier_working(local(2026, 6, 23, 22), NO, HOURS) == local(2026, 6, 23, 8)  # after hours: that morning
    assert earlier_working(local(2026, 6, 24, 3), NO, HOURS) == local(2026, 6, 23, 8)  # before dawn: the day before
    assert earlier_working(local(2026, 6, 22, 3), NO, HOURS) == local(2026, 6, 19, 8)  # Monday night: Friday
    assert earlier_working(local(2026, 6, 23, 11), NO, HOURS) == local(2026, 6, 23, 11)  # inside: as it is
    # With working hours that end late, the raw time is the night itself
    late = Hours(time(9), time(23, 30))
    got = planned(date(2026, 6, 24), hours=late)
    assert got["due_24h"] == utc(2026, 6, 23, 21, 30)  # Tuesday 23:30 local is inside those hours


def test_public_holidays_are_days_off():
    # Ascension Day, Thursday 14 May 2026, is a Norwegian public holiday
    got = planned(date(2026, 5, 15))
    assert got["due_24h"] == utc(2026, 5, 13, 6)  # Thursday is off: Wednesday 08:00
    assert got["due_48h"] == utc(2026, 5, 12, 6)  # and the 48-h notice a working day earlier
    # Whit Monday 25 May 2026: a task due Wednesday 27 May hears of it first on Friday 22 May
    assert planned(date(2026, 5, 27))["due_48h"] == utc(2026, 5, 22, 6)
    # Without holidays (no country) the same dates are working days
    plain = WorkCalendar(zone="Europe/Oslo")
    assert planned(date(2026, 5, 15), cal=plain)["due_24h"] == utc(2026, 5, 14, 14)


def test_the_spring_dst_week_in_oslo_keeps_the_local_hours():
    # Summer time starts Sunday 29 March 2026 at 02:00: UTC+1 before, UTC+2 after
    got = planned(date(2026, 3, 31))  # Tuesday
    assert got["due_48h"] == utc(2026, 3, 27, 7)  # Sunday → Friday 08:00 CET
    assert got["due_24h"] == utc(2026, 3, 30, 14)  # Monday 16:00 CEST
    assert got["overdue"] == utc(2026, 3, 31, 14)
    assert got["escalated"] == utc(2026, 4, 1, 14)  # Wednesday 16:00 CEST
    monday = planned(date(2026, 3, 30))
    assert monday["due_24h"] == utc(2026, 3, 27, 7) and monday["due_48h"] == utc(2026, 3, 26, 7)
    assert monday["overdue"] == utc(2026, 3, 30, 14)
    # Over the weekend and the change: the next daily overdue notice is Monday 08:00 CEST
    assert next_overdue(utc(2026, 3, 27, 15), NO, OSLO, HOURS) == utc(2026, 3, 30, 6)
    # A seven-day week: 24 h before Sunday 16:00 CEST is Saturday 16:00 CET (wall-clock, not 24 absolute hours)
    every_day = WorkCalendar(week="1234567", zone="Europe/Oslo")
    assert planned(date(2026, 3, 29), cal=every_day)["due_24h"] == utc(2026, 3, 28, 15)


def test_the_autumn_dst_week_in_oslo_keeps_the_local_hours():
    # Summer time ends Sunday 25 October 2026 at 03:00: UTC+2 before, UTC+1 after
    got = planned(date(2026, 10, 27))  # Tuesday
    assert got["due_48h"] == utc(2026, 10, 23, 6)  # Sunday → Friday 08:00 CEST
    assert got["due_24h"] == utc(2026, 10, 26, 15)  # Monday 16:00 CET
    assert got["overdue"] == utc(2026, 10, 27, 15)
    assert next_overdue(utc(2026, 10, 23, 15), NO, OSLO, HOURS) == utc(2026, 10, 26, 7)  # Monday 08:00 CET


def test_overdue_outside_working_time_waits_for_the_next_working_morning():
    assert later_working(local(2026, 6, 27, 16), NO, HOURS) == local(2026, 6, 29, 8)  # Saturday → Monday
    assert planned(date(2026, 6, 27))["overdue"] == utc(2026, 6, 29, 6)  # due on a Saturday
    assert next_overdue(utc(2026, 6, 24, 14), NO, OSLO, HOURS) == utc(2026, 6, 25, 6)  # Thursday 08:00


def test_escalation_counts_working_hours_only():
    got = planned(date(2026, 6, 26), escalate_after=12)  # Friday 16:00; 8 h on Monday, 4 h on Tuesday
    assert got["escalated"] == utc(2026, 6, 30, 10)  # Tuesday 12:00 local
    assert planned(date(2026, 6, 26), escalate_after=4)["escalated"] == utc(2026, 6, 29, 10)


def test_due_notices_already_past_are_not_planned():
    got = planned(date(2026, 6, 24), now=utc(2026, 6, 22, 15))  # opened after Monday's 48-h notice time
    assert set(got) == {"due_24h", "overdue", "escalated"}
    late = planned(date(2026, 6, 24), now=utc(2026, 6, 26, 9))  # opened when already late
    assert set(late) == {"overdue", "escalated"}
