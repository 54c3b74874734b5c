"""The action list's rules through its service: statuses and their transitions, derived fields, the matrix
order, capacity sums, the cadence check's dates and the confounders."""

from __future__ import annotations

from datetime import date

import pytest

from kit.errors import Invalid, NotFound
from services.tasks.actions import cadence, effect, planning, priority, service, status
from services.tasks.actions.models import ActionStatus, ActionUpdate, Quadrant
from services.tasks.tests.actions.conftest import TODAY
from services.tasks.tests.actions.helpers import make, move, period

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def test_a_finding_fills_kpi_surface_and_kind_and_the_owners_copy_what_lists_need(session, records):
    action = make(session, records, finding_id=9)
    assert (action.kpi_id, action.surface_id, action.change_kind) == (5, 2, "technology")
    assert action.kpi_name == "Orders" and action.kpi_grain == "month"
    assert action.surface_cadence == "quarterly" and str(action.surface_anchor) == "2026-01-01"
    assert [e.kind for e in service.history(session=session, action=action)] == ["created"]


@pytest.mark.parametrize("field, value", [("kpi_id", 6), ("goal_id", 4), ("surface_id", 1), ("finding_id", 1)])
def test_a_foreign_id_is_422_naming_the_field(session, records, field, value):
    with pytest.raises(Invalid) as err:
        make(session, records, **{field: value})
    assert err.value.errors[0]["field"] == field


def test_foreign_period_and_foreign_action(session, records):
    other = period(session, workspace_id=2)
    with pytest.raises(Invalid) as err:
        make(session, records, period_id=other.id)
    assert err.value.errors[0]["field"] == "period_id"
    action = make(session, records)
    with pytest.raises(NotFound):
        service.get_action(session=session, workspace_id=2, action_id=action.id)


def test_sizes_become_hours_gain_is_suggested_and_scores_computed(session, records):
    action = make(
        session, records, effort_size="L", expected_size=12, reach=1000, rice_impact=2, rice_confidence=80,
        ice_impact=8, ice_confidence=5, ice_ease=4,
    )  # fmt: skip
    assert action.effort_hours == 40 and action.gain is None and action.gain_suggested == 4
    assert action.rice_score == pytest.approx(1000 * 2 * 0.8 / 40) and action.ice_score == 160
    public = service.to_public(
        action, settings=service.get_settings(session=session, workspace_id=1), period_ends_on=None, today=TODAY
    )
    assert public.gain_used == 4 and public.quadrant == Quadrant.big_bet
    changed = service.update_action(
        session=session, workspace_id=1, user_id=7, action_id=action.id, data=ActionUpdate(effort_hours=6),
        owners=records,
    )  # fmt: skip
    assert changed.effort_size is None and changed.rice_score == pytest.approx(1000 * 2 * 0.8 / 6, abs=0.01)


def test_suggested_gain_from_an_absolute_change_needs_a_baseline():
    assert priority.suggested_gain(50, "absolute", 200) == 5
    assert priority.suggested_gain(50, "absolute", None) is None
    assert priority.suggested_gain(1, "percent", None) == 1


def test_quick_wins_come_first(session, records):
    make(session, records, title="pit", effort_hours=80, gain=1)
    make(session, records, title="fill", effort_hours=2, gain=2)
    make(session, records, title="bet", effort_hours=60, gain=5)
    make(session, records, title="win small", effort_hours=8, gain=4)
    make(session, records, title="win", effort_hours=4, gain=5)
    make(session, records, title="unknown")
    rows, total = service.list_actions(session=session, workspace_id=1)
    assert [a.title for a, _ in rows] == ["win", "win small", "bet", "fill", "pit", "unknown"] and total == 6
    by_rice, _ = service.list_actions(session=session, workspace_id=1, sort="-gain")
    assert by_rice[0][0].gain == 5


def test_status_transitions(session, records):
    q = period(session)
    action = make(session, records)
    with pytest.raises(Invalid) as err:
        move(session, action, ActionStatus.planned)
    assert err.value.errors[0]["field"] == "period_id"
    with pytest.raises(Invalid):
        move(session, action, ActionStatus.done)  # an idea is not done
    service.plan(session=session, workspace_id=1, user_id=7, action_id=action.id, period_id=q.id)
    assert action.status == ActionStatus.planned
    move(session, action, ActionStatus.in_progress)
    with pytest.raises(Invalid) as err:
        move(session, action, ActionStatus.done, done_on=date(2026, 12, 2))
    assert err.value.errors[0]["field"] == "done_on"
    move(session, action, ActionStatus.done, done_on=date(2026, 11, 20))
    assert action.done_on == date(2026, 11, 20)
    with pytest.raises(Invalid):
        move(session, action, ActionStatus.evaluated)  # only through the evaluation
    service.mark_evaluated(
        session=session, action=action, user_id=8, verdict="confirmed", note=" fine ", evidence={"change": 3.0}
    )
    assert action.status == ActionStatus.evaluated and action.evaluation_note == "fine" and action.observed_change == 3
    steps = [(e.kind, e.from_status, e.to_status, e.by) for e in service.history(session=session, action=action)]
    assert steps == [
        ("created", None, "idea", 7),
        ("planned", None, None, 7),
        ("status", "idea", "planned", 7),
        ("status", "planned", "in_progress", 7),
        ("status", "in_progress", "done", 7),
        ("status", "done", "evaluated", 8),
    ]
    assert status.allowed(ActionStatus.dropped, ActionStatus.idea) and not status.allowed(
        ActionStatus.evaluated, ActionStatus.done
    )


def test_dropping_needs_a_reason_and_can_be_undone(session, records):
    action = make(session, records)
    with pytest.raises(Invalid) as err:
        move(session, action, ActionStatus.dropped, reason="  ")
    assert err.value.errors[0]["field"] == "reason"
    move(session, action, ActionStatus.dropped, reason="Nice to have, not needed")
    assert action.dropped_reason == "Nice to have, not needed"
    move(session, action, ActionStatus.idea)
    assert action.dropped_reason is None


def test_capacity_sums_and_moving_between_periods(session, records):
    q1, q2 = period(session, capacity=20), period(session, name="Q2", capacity=None)
    a = make(session, records, effort_hours=12, period_id=q1.id, status="planned")
    make(session, records, effort_hours=10, period_id=q1.id, status="planned")
    make(session, records, period_id=q1.id, status="planned")  # not estimated
    dropped = make(session, records, effort_hours=100, period_id=q1.id, status="planned")
    move(session, dropped, ActionStatus.dropped, reason="no")
    load = planning.loads(session=session, workspace_id=1)
    assert load[q1.id].planned_hours == 22 and load[q1.id].over and load[q1.id].remaining_hours == -2
    assert load[q1.id].unestimated == 1 and load[q1.id].actions == 3 and load[q1.id].share == pytest.approx(1.1)
    assert load[q2.id].planned_hours == 0 and not load[q2.id].over and load[q2.id].capacity_hours is None
    service.plan(session=session, workspace_id=1, user_id=7, action_id=a.id, period_id=q2.id)
    load = planning.loads(session=session, workspace_id=1)
    assert load[q1.id].planned_hours == 10 and not load[q1.id].over and load[q2.id].planned_hours == 12
    service.plan(session=session, workspace_id=1, user_id=7, action_id=a.id, period_id=None)
    assert a.status == ActionStatus.idea and a.period_id is None


def test_cadence_dates():
    # A quarterly surface measured at the ends of quarters; the KPI counts in months; window 3 months.
    flag = cadence.check(
        completes_on=date(2026, 11, 10), grain="month", periods=3, cadence="quarterly", anchor=date(2026, 1, 1)
    )  # fmt: skip
    assert flag.window_ends_on == date(2027, 2, 28) and flag.next_measurement_on == date(2027, 1, 1)
    assert flag.flagged and flag.first_shows_on == date(2027, 4, 1)
    early = cadence.check(
        completes_on=date(2026, 7, 20), grain="month", periods=2, cadence="quarterly", anchor=date(2026, 1, 1)
    )  # fmt: skip
    assert early.window_ends_on == date(2026, 9, 30) and not early.flagged and early.first_shows_on == date(2026, 10, 1)
    assert cadence.default_window("quarterly", "month") == 2 and cadence.default_window("monthly", "week") == 3
    assert cadence.default_window("monthly", "month") == 1
    assert cadence.default_window(None, "month") == 3
    assert cadence.window_end(date(2026, 3, 4), "week", 2) == date(2026, 3, 22)  # Wed → weeks of 9 and 16 March


def test_the_cadence_check_uses_the_period_end_until_there_is_a_due_date(session, records):
    q = period(session, starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31))
    action = make(session, records, finding_id=9, period_id=q.id, status="planned")
    settings = service.get_settings(session=session, workspace_id=1)
    flag = service.to_public(action, settings=settings, period_ends_on=q.ends_on, today=TODAY).cadence
    assert flag.completes_on == date(2026, 12, 31) and flag.flagged and flag.first_shows_on == date(2027, 4, 1)
    action.due_on = date(2026, 12, 5)
    flag = service.to_public(action, settings=settings, period_ends_on=q.ends_on, today=TODAY).cadence
    assert flag.completes_on == date(2026, 12, 5)


def test_confounders_are_other_live_actions_on_the_kpi_with_overlapping_windows(session, records):
    q = period(session, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31))
    main = make(session, records, kpi_id=5, expected_direction="up", evaluation_periods=3)
    overlapping = make(session, records, title="Newsletter push", kpi_id=5, due_on=date(2026, 2, 10))
    make(session, records, title="Much later", kpi_id=5, due_on=date(2027, 6, 1))
    make(session, records, title="Other KPI", due_on=date(2026, 2, 10))
    gone = make(session, records, title="Dropped", kpi_id=5, due_on=date(2026, 2, 10))
    move(session, gone, ActionStatus.dropped, reason="no")
    service.plan(session=session, workspace_id=1, user_id=7, action_id=main.id, period_id=q.id)
    move(session, main, ActionStatus.done, done_on=date(2026, 1, 15))
    found = effect.confounders(session, [main])[main.id]
    assert [c["id"] for c in found] == [overlapping.id] and found[0]["title"] == "Newsletter push"
    assert effect.probe(main) == f"{main.id}:5:2026-01-15:3:up::percent"


def test_track_record_per_kind(session, records):
    q = period(session)
    for verdict, observed in (("confirmed", 9.0), ("confirmed", 12.0), ("inconclusive", 1.0)):
        a = make(session, records, change_kind="content", period_id=q.id, status="planned")
        move(session, a, ActionStatus.done, done_on=date(2026, 11, 1))
        service.mark_evaluated(
            session=session, action=a, user_id=7, verdict=verdict, note=None,
            evidence={"change": observed, "expected_change": 10.0},
        )  # fmt: skip
    rows = {r["change_kind"]: r for r in effect.track_record(session=session, workspace_id=1)}
    content = rows["content"]
    assert content["evaluated"] == 3 and content["confirmed"] == 2
    assert content["share_confirmed"] == pytest.approx(2 / 3) and content["mean_miss"] == pytest.approx(0.4)
    assert content["suggested_confidence"] == 80
    assert rows["technology"]["evaluated"] == 0 and rows["technology"]["suggested_confidence"] is None
