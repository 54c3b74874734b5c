"""Reminder rows through the service: written with the deadline, re-versioned when it moves, cancelled when the
task finishes; the sweep fires each due row once, to the owner at send time, overdue daily, escalation to the
run's owner; nothing for a finished or re-dated task."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from services.tasks.events.models import Event, EventKind
from services.tasks.reminders.models import Reminder, ReminderKind, ReminderState
from services.tasks.reminders.sweep import sweep
from services.tasks.runs import service as runs
from services.tasks.tasks import flow
from services.tasks.tasks import service as tasks
from services.tasks.tasks.models import TaskState
from services.tasks.tests.workflow_support import ANNA, BEN, MEMBERS, NO, PUBLISH, at, done, start_blog, task

START = at(date(2026, 5, 4))  # the run starts well before its first step's reminders
IDEA_DUE = date(2026, 5, 27)  # a Wednesday; Whit Monday 25 May is a holiday in Norway


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rows(session: Session, task_id: int) -> list[Reminder]:
    return list(session.exec(select(Reminder).where(Reminder.task_id == task_id).order_by(Reminder.id)).all())


def reminder_events(session: Session) -> list[Event]:
    kinds = {EventKind.due_48h, EventKind.due_24h, EventKind.overdue, EventKind.escalated}
    return [e for e in session.exec(select(Event).order_by(Event.id)).all() if e.kind in kinds]


def started(engine):
    with Session(engine, expire_on_commit=False) as s:
        _, run = start_blog(s, PUBLISH, now=START)
        s.commit()
        return run, task(s, run, "idea")


def test_a_step_handed_over_gets_its_rows_in_the_same_transaction(engine):
    with Session(engine, expire_on_commit=False) as s:
        _, run = start_blog(s, PUBLISH, now=START)
        idea, keywords = task(s, run, "idea"), task(s, run, "keywords")
        got = [(r.kind, r.version, r.fire_at, r.state) for r in rows(s, idea.id)]
        assert got == [
            (ReminderKind.due_48h, 1, utc(2026, 5, 22, 8), ReminderState.pending),  # Whit Monday: Friday before
            (ReminderKind.due_24h, 1, utc(2026, 5, 26, 16), ReminderState.pending),
            (ReminderKind.overdue, 1, utc(2026, 5, 27, 16), ReminderState.pending),
            (ReminderKind.escalated, 1, utc(2026, 5, 28, 16), ReminderState.pending),
        ]
        assert rows(s, keywords.id) == []  # waiting for the idea: nothing to remind of yet
        s.rollback()
    with Session(engine) as s:
        assert s.exec(select(Reminder)).all() == []  # rolled back with the run


def test_the_sweep_fires_each_due_row_once_with_the_row_as_key(engine):
    run, idea = started(engine)
    assert sweep(engine, now=utc(2026, 5, 22, 7, 59)) == 0
    assert sweep(engine, now=utc(2026, 5, 22, 8)) == 1
    assert sweep(engine, now=utc(2026, 5, 22, 9)) == 0  # sent already
    with Session(engine) as s:
        (event,) = reminder_events(s)
        first = rows(s, idea.id)[0]
        assert (event.kind, event.recipient_id, event.key) == (EventKind.due_48h, ANNA, f"reminder:{first.id}")
        assert event.link == f"/runs/{run.id}#task-{idea.id}"
        assert event.params == {"task": idea.title, "run": run.name, "due": "2026-05-27", "step": "idea"}
        assert (first.state, first.recipient_id, first.sent_at) == (ReminderState.sent, ANNA, utc(2026, 5, 22, 8))


def test_a_moved_deadline_cancels_the_unsent_rows_and_plans_a_new_version(engine):
    run, idea = started(engine)
    sweep(engine, now=utc(2026, 5, 22, 8))  # the 48-h notice of the old date went out
    with Session(engine, expire_on_commit=False) as s:
        t = task(s, run, "idea")
        moved = at(date(2026, 5, 23))
        tasks.move_due(session=s, run=run, task=t, due_on=date(2026, 6, 3), cal=NO, actor_id=ANNA, now=moved)
        s.commit()
        got = [(r.kind, r.version, r.state) for r in rows(s, idea.id)]
    assert got == [
        (ReminderKind.due_48h, 1, ReminderState.sent),
        (ReminderKind.due_24h, 1, ReminderState.cancelled),
        (ReminderKind.overdue, 1, ReminderState.cancelled),
        (ReminderKind.escalated, 1, ReminderState.cancelled),
        (ReminderKind.due_48h, 2, ReminderState.pending),
        (ReminderKind.due_24h, 2, ReminderState.pending),
        (ReminderKind.overdue, 2, ReminderState.pending),
        (ReminderKind.escalated, 2, ReminderState.pending),
    ]
    # The old date's times come and go: nothing. The new one's come: one each.
    assert sweep(engine, now=utc(2026, 5, 28, 17)) == 0
    assert sweep(engine, now=utc(2026, 6, 2, 16)) == 2
    with Session(engine) as s:
        assert [(e.kind, e.params["due"]) for e in reminder_events(s)] == [
            (EventKind.due_48h, "2026-05-27"),
            (EventKind.due_48h, "2026-06-03"),
            (EventKind.due_24h, "2026-06-03"),
        ]


def test_moving_to_the_same_date_changes_nothing(engine):
    run, idea = started(engine)
    with Session(engine, expire_on_commit=False) as s:
        tasks.move_due(session=s, run=run, task=task(s, run, "idea"), due_on=IDEA_DUE, cal=NO, actor_id=ANNA)
        s.commit()
        assert {r.version for r in rows(s, idea.id)} == {1}


def test_a_finished_or_skipped_step_is_never_reminded(engine):
    run, idea = started(engine)
    with Session(engine, expire_on_commit=False) as s:
        done(s, run, "idea", date(2026, 5, 20))
        keywords = task(s, run, "keywords")
        flow.skip(s, run, keywords, reason="not needed", now=at(date(2026, 5, 21)), actor_id=ANNA, cal=NO)
        s.commit()
        assert {r.state for r in rows(s, idea.id)} == {ReminderState.cancelled}
        assert {r.state for r in rows(s, keywords.id)} == {ReminderState.cancelled}
        outline = task(s, run, "outline")
        assert outline.state == TaskState.open and len(rows(s, outline.id)) == 4
    sweep(engine, now=utc(2026, 6, 30))
    with Session(engine) as s:
        assert {e.task_id for e in reminder_events(s)} == {outline.id}


def test_the_sweep_checks_the_task_itself_at_send_time(engine):
    """A task finished or re-dated without the hook (a bug, a manual fix in the database) gets nothing."""
    run, idea = started(engine)
    with Session(engine, expire_on_commit=False) as s:
        t = task(s, run, "idea")
        t.due_on = date(2026, 6, 10)  # no hook: the rows still name 27 May
        s.add(t)
        s.commit()
    assert sweep(engine, now=utc(2026, 5, 29)) == 4
    with Session(engine) as s:
        assert reminder_events(s) == []
        assert {r.state for r in rows(s, idea.id)} == {ReminderState.cancelled}


def test_a_reassigned_step_reminds_its_new_owner(engine):
    run, idea = started(engine)
    with Session(engine, expire_on_commit=False) as s:
        run = runs.get_run(session=s, workspace_id=run.workspace_id, run_id=run.id)
        runs.reassign_role(session=s, run=run, role="content", user_id=BEN, members=MEMBERS, actor_id=ANNA, now=START)
        s.commit()
    sweep(engine, now=utc(2026, 5, 26, 16))
    with Session(engine) as s:
        assert [(e.kind, e.recipient_id) for e in reminder_events(s)] == [
            (EventKind.due_48h, BEN),
            (EventKind.due_24h, BEN),
        ]


def test_overdue_once_when_late_then_once_a_working_day_and_one_escalation_to_the_runs_owner(engine):
    run, idea = started(engine)
    with Session(engine, expire_on_commit=False) as s:
        run = runs.get_run(session=s, workspace_id=run.workspace_id, run_id=run.id)
        runs.reassign_role(session=s, run=run, role="content", user_id=BEN, members=MEMBERS, actor_id=ANNA, now=START)
        s.commit()
    late = utc(2026, 5, 27, 16, 1)
    for _ in range(3):  # the sweep runs every minute: one overdue notice, not one per run
        sweep(engine, now=late)
        late += timedelta(minutes=1)
    sweep(engine, now=utc(2026, 5, 28, 8))  # Thursday morning: the second
    sweep(engine, now=utc(2026, 5, 28, 16))  # eight working hours late: escalation
    sweep(engine, now=utc(2026, 5, 29, 8, 30))  # Friday: the third
    sweep(engine, now=utc(2026, 5, 30, 8, 30))  # Saturday: none (the next is Monday's)
    sweep(engine, now=utc(2026, 5, 31, 23))
    with Session(engine) as s:
        got = [(e.kind, e.recipient_id, e.created_at is not None) for e in reminder_events(s)]
        assert got == [
            (EventKind.due_48h, BEN, True),
            (EventKind.due_24h, BEN, True),
            (EventKind.overdue, BEN, True),
            (EventKind.overdue, BEN, True),
            (EventKind.escalated, ANNA, True),  # the run's owner (who started it)
            (EventKind.overdue, BEN, True),
        ]
        pending = [r for r in rows(s, idea.id) if r.state == ReminderState.pending]
        assert [(r.kind, r.n, r.fire_at) for r in pending] == [(ReminderKind.overdue, 3, utc(2026, 6, 1, 8))]
        keys = [e.key for e in reminder_events(s)]
        assert len(set(keys)) == len(keys)
    with Session(engine, expire_on_commit=False) as s:
        done(s, run, "idea", date(2026, 5, 31))
        s.commit()
    assert sweep(engine, now=utc(2026, 6, 1, 9)) == 0  # done: the pending overdue notice was cancelled


def test_a_step_sent_back_is_reminded_of_its_new_date_and_the_later_one_no_more(engine):
    run, idea = started(engine)
    with Session(engine, expire_on_commit=False) as s:
        done(s, run, "idea", date(2026, 5, 27))
        keywords = task(s, run, "keywords")
        flow.send_back(
            s, run, keywords, target="idea", comment="again", now=at(date(2026, 5, 28)), today=date(2026, 5, 28),
            cal=NO, actor_id=BEN,
        )  # fmt: skip
        s.commit()
        idea = task(s, run, "idea")
        assert {r.state for r in rows(s, keywords.id)} == {ReminderState.cancelled}
        live = [r for r in rows(s, idea.id) if r.state == ReminderState.pending]
        assert {r.version for r in live} == {2} and {r.due_on for r in live} == {idea.due_on}
