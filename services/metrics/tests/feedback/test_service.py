"""Feedback rules: states and their times, targets in working hours, KPI values per month from SQL, erasure."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event
from sqlmodel import select

from kit.errors import Conflict, Invalid
from services.metrics.feedback import builtin, feed, privacy, service
from services.metrics.feedback.hours import due_at
from services.metrics.feedback.models import Channel, FeedbackCreate, FeedbackState, FeedbackUpdate, Measure, TargetIn
from services.metrics.kpis import figures
from services.metrics.observations.models import Observation

WS = 1


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def item(session, received: datetime, **fields):
    data = FeedbackCreate(
        channel=fields.pop("channel", "facebook"),
        text=fields.pop("text", "Late delivery"),
        received_at=received,
        **fields,
    )
    return service.create_item(session=session, workspace_id=WS, user_id=1, data=data)


def test_working_hours_skip_nights_and_weekends():
    friday_15 = datetime(2026, 3, 6, 15, tzinfo=UTC)  # a Friday
    assert due_at(friday_15, 4, working_hours=False, tz="UTC") == datetime(2026, 3, 6, 19, tzinfo=UTC)
    assert due_at(friday_15, 4, working_hours=True, tz="UTC") == datetime(2026, 3, 9, 11, tzinfo=UTC)
    saturday = datetime(2026, 3, 7, 12, tzinfo=UTC)
    assert due_at(saturday, 8, working_hours=True, tz="UTC") == datetime(2026, 3, 9, 16, tzinfo=UTC)
    # Oslo is UTC+1 in March: 08:00 there is 07:00 UTC
    assert due_at(saturday, 1, working_hours=True, tz="Europe/Oslo") == datetime(2026, 3, 9, 8, tzinfo=UTC)


def test_states_and_times(session):
    service.set_target(session=session, workspace_id=WS, channel="facebook", data=TargetIn(hours=4))
    one = item(session, at(2))
    assert one.state == FeedbackState.new and one.due_at is not None
    with pytest.raises(Invalid):  # "answered" is reached by answering
        service.transition(session=session, workspace_id=WS, user_id=1, item_id=one.id, state=FeedbackState.answered)
    service.transition(session=session, workspace_id=WS, user_id=1, item_id=one.id, state=FeedbackState.in_progress)
    service.answer(session=session, workspace_id=WS, user_id=1, item_id=one.id, text="Sorry!", now=at(2, 13))
    assert (one.state, one.first_answer_hours, one.within_target) == (FeedbackState.answered, 3.0, True)
    service.answer(session=session, workspace_id=WS, user_id=1, item_id=one.id, text="More", now=at(3))
    assert one.first_answer == "Sorry!"  # the first answer stays
    service.transition(
        session=session, workspace_id=WS, user_id=1, item_id=one.id, state=FeedbackState.resolved, now=at(3)
    )
    assert one.resolution_hours == 24.0
    with pytest.raises(Conflict):
        service.transition(session=session, workspace_id=WS, user_id=1, item_id=one.id, state=FeedbackState.escalated)
    late = item(session, at(2))
    service.answer(session=session, workspace_id=WS, user_id=1, item_id=late.id, text="Hi", now=at(2, 15))
    assert late.within_target is False and service.past_target(late)
    actions = [e.action for e in service.history(session=session, workspace_id=WS, item_id=one.id)]
    assert actions == ["created", "state", "answered", "answered", "state"]


def test_resolved_items_reopen_and_an_unknown_transition_is_refused(session):
    one = item(session, at(2))
    service.transition(session=session, workspace_id=WS, user_id=1, item_id=one.id, state=FeedbackState.resolved)
    with pytest.raises(Conflict):
        service.answer(session=session, workspace_id=WS, user_id=1, item_id=one.id, text="x")
    service.transition(session=session, workspace_id=WS, user_id=1, item_id=one.id, state=FeedbackState.in_progress)
    assert one.resolved_at is None


def _kpis(session):
    made = builtin.create_builtin(session=session, workspace_id=WS)
    return {(s.measure, s.category_id, s.channel): s.kpi_id for s, _ in made}


def _month_value(session, kpi_id, month=date(2026, 3, 1)):
    rows = session.exec(select(Observation).where(Observation.kpi_id == kpi_id, Observation.period_start == month))
    return [(o.source.value, o.value) for o in rows]


def test_builtin_kpis_follow_the_items_month_by_month(session):
    service.set_target(session=session, workspace_id=WS, channel="facebook", data=TargetIn(hours=4))
    cats = {c.key: c.id for c in service.categories(session=session, workspace_id=WS)}
    a = item(session, at(2), category_id=cats["staff_service"])
    item(session, at(3), sentiment="neutral", kind="question")
    item(session, at(1, month=4), channel="email")
    kpis = _kpis(session)
    complaints = kpis[(Measure.complaints, None, None)]
    staff = kpis[(Measure.complaints, cats["staff_service"], None)]
    assert _month_value(session, complaints) == [("feedback", 1.0)]
    assert _month_value(session, complaints, date(2026, 4, 1)) == [("feedback", 1.0)]
    assert _month_value(session, staff) == [("feedback", 1.0)]
    assert _month_value(session, kpis[(Measure.negative_share, None, None)]) == [("feedback", 50.0)]
    assert _month_value(session, kpis[(Measure.dissatisfied, None, None)]) == [("feedback", 20.0)]
    assert _month_value(session, kpis[(Measure.complaints, None, "email")], date(2026, 4, 1)) == [("feedback", 1.0)]
    # as items change, the values follow
    item(session, at(9), category_id=cats["staff_service"])
    service.update_item(
        session=session, workspace_id=WS, user_id=1, item_id=a.id, data=FeedbackUpdate(category_id=cats["product"])
    )
    assert _month_value(session, complaints) == [("feedback", 2.0)]
    assert _month_value(session, staff) == [("feedback", 1.0)]
    service.update_settings(session=session, workspace_id=WS, multiplier=25, retention_months=None, sent={"multiplier"})
    assert _month_value(session, kpis[(Measure.dissatisfied, None, None)]) == [("feedback", 50.0)]
    # and the scorecard's figures read them like any value
    window = [figures.Bucket(date(2026, 3, 1), date(2026, 3, 31))]
    assert figures.values(session, [complaints], window) == {(complaints, 0): 2.0}


def test_channel_kpis_read_as_a_sentence(session):
    for channel in ("in_person", "phone", "email", "facebook"):
        item(session, at(2), channel=channel)
    names = {s.channel: k.name for s, k in builtin.create_builtin(session=session, workspace_id=WS) if s.channel}
    assert names == {
        "in_person": "Complaints in person",
        "phone": "Complaints by phone",
        "email": "Complaints by email",
        "facebook": "Complaints via Facebook",
    }
    assert set(builtin.CHANNEL_PHRASES) == {c.value for c in Channel}


def test_median_and_share_within_target(session):
    service.set_target(session=session, workspace_id=WS, channel="facebook", data=TargetIn(hours=4))
    for hours in (1, 2, 3, 10):
        one = item(session, at(2))
        service.answer(session=session, workspace_id=WS, user_id=1, item_id=one.id, text="ok", now=at(2, 10 + hours))
    kpis = _kpis(session)
    assert _month_value(session, kpis[(Measure.median_first_answer, None, None)]) == [("feedback", 2.5)]
    assert _month_value(session, kpis[(Measure.within_target, None, None)]) == [("feedback", 75.0)]
    item(session, at(2))  # an odd count: the middle one
    one = item(session, at(2))
    service.answer(session=session, workspace_id=WS, user_id=1, item_id=one.id, text="ok", now=at(2, 12))
    assert _month_value(session, kpis[(Measure.median_first_answer, None, None)]) == [("feedback", 2.0)]


def test_kpi_values_come_from_aggregates_not_from_loading_items(session, engine):
    for day in range(1, 29):
        item(session, at(day))
    specs = feed.specs_of(session, WS) or [s for s, _ in builtin.create_builtin(session=session, workspace_id=WS)]
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        values = feed.compute(session, WS, specs, None, multiplier=20)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    # one GROUP BY gives every count, the answered per month too; a month with answers adds one index seek for its
    # median (none here: nothing is answered)
    assert len(statements) == 1
    assert "GROUP BY" in statements[0]
    assert values[(specs[0].kpi_id, date(2026, 3, 1))] == 28.0


def test_erasure_keeps_the_statistics(session):
    one = item(session, at(2), customer_name="Kari Nordmann", customer_contact="kari@example.com", link="https://x")
    kpis = _kpis(session)
    privacy.erase(session=session, workspace_id=WS, user_id=1, item_id=one.id)
    assert (one.customer_name, one.customer_contact, one.link) == (None, None, None)
    assert one.text == privacy.ERASED and one.kind.value == "complaint"
    assert _month_value(session, kpis[(Measure.complaints, None, None)]) == [("feedback", 1.0)]


def test_retention_erases_old_personal_data(session):
    old = item(session, at(2, month=1), customer_name="Old")
    new = item(session, at(2, month=6), customer_name="New")
    service.update_settings(
        session=session, workspace_id=WS, multiplier=None, retention_months=3, sent={"retention_months"}
    )
    assert privacy.apply_retention(session=session, workspace_id=WS, now=at(15, month=6)) == 1
    assert old.customer_name is None and new.customer_name == "New"


def test_the_retention_job_applies_every_workspaces_setting(session):
    from services.metrics.feedback.jobs import erase_expired

    item(session, datetime(2020, 1, 2, tzinfo=UTC), customer_name="Old")
    assert erase_expired(session) == 0  # no setting: personal data stays
    service.update_settings(
        session=session, workspace_id=WS, multiplier=None, retention_months=12, sent={"retention_months"}
    )
    assert erase_expired(session) == 1
