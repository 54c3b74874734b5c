"""Email of notifications against a real SMTP server on loopback: once each, merged, digested, held, in words."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from kit.fields import utcnow
from kit.mailbox import free_port
from kit.testing import run_async
from services.tasks.config import TasksSettings
from services.tasks.events.models import Event, EventKind
from services.tasks.events.service import record
from services.tasks.notifications import jobs, outbox, service
from services.tasks.notifications.mail import message_id
from services.tasks.notifications.models import Delivery, DeliveryState, EmailMode, KindPreference, PreferencesUpdate
from services.tasks.tests.workflow_support import ANNA, BEN, PUBLISH, start_blog, task

OSLO = ZoneInfo("Europe/Oslo")


def deliver(engine, people, cfg, now):
    return run_async(jobs.deliver(engine=engine, directory=people, now=now, cfg=cfg))


def oslo(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO).astimezone(UTC)


def prefer(engine, user_id, mode, *kinds, quiet=(None, None)):
    with Session(engine) as s:
        data = PreferencesUpdate(
            kinds=[KindPreference(kind=k, email=mode) for k in kinds], quiet_start=quiet[0], quiet_end=quiet[1]
        )
        service.set_preferences(session=s, workspace_id=1, user_id=user_id, data=data)
        s.commit()


def tell(engine, user_id, key, *, kind=EventKind.due_24h, run_id=None, at=None, title="Outline"):
    with Session(engine) as s:
        event = record(
            session=s,
            workspace_id=1,
            recipient_id=user_id,
            kind=kind,
            run_id=run_id,
            key=key,
            link=f"/runs/{run_id or 0}#task-1",
            params={"task": title, "run": "Summer post", "due": "2026-06-05"},
        )
        if at is not None:
            event.created_at = at
        s.commit()
        return event.id


def test_an_assignment_is_emailed_once_in_the_readers_language(engine, session, mailbox, cfg, people):
    _, run = start_blog(session, PUBLISH)
    session.commit()
    idea = task(session, run, "idea")
    now = utcnow()
    first = deliver(engine, people, cfg, now)
    assert first["planned"] == 1 and first["sent"] == 0  # held for the merge window: more about the run may come
    assert deliver(engine, people, cfg, now + timedelta(minutes=16))["sent"] == 1
    assert deliver(engine, people, cfg, now + timedelta(minutes=30))["sent"] == 0
    [msg] = mailbox.to("anna@example.com")
    assert msg["Subject"] == f"«{idea.title}» i {run.name} er din nå"  # Anna reads bokmål
    assert msg["Content-Language"] == "nb"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert f"https://effekt.example.com/runs/{run.id}#task-{idea.id}" in text
    assert "https://effekt.example.com/settings/notifications" in text and "Varslingsinnstillinger" in html
    delivery = session.exec(select(Delivery)).one()
    assert delivery.state == DeliveryState.sent and msg["Message-ID"] == message_id(delivery.key, cfg.smtp_from)


def test_events_about_one_run_within_fifteen_minutes_are_one_email(engine, mailbox, cfg, people):
    now = utcnow()
    tell(engine, BEN, "a", run_id=5, at=now, title="Outline")
    tell(engine, BEN, "b", run_id=5, at=now + timedelta(minutes=10), title="Draft")
    tell(engine, BEN, "c", run_id=5, at=now + timedelta(minutes=20), title="Publish")  # after the window
    tell(engine, BEN, "d", run_id=6, at=now + timedelta(minutes=5), title="Other run")
    deliver(engine, people, cfg, now + timedelta(minutes=40))
    subjects = sorted(m["Subject"] for m in mailbox.to("ben@example.com"))
    assert len(subjects) == 3
    assert "2 updates on Summer post" in subjects
    merged = next(m for m in mailbox.to("ben@example.com") if m["Subject"] == "2 updates on Summer post")
    body = merged.get_body(("plain",)).get_content()
    assert "“Outline” in Summer post is due tomorrow (Jun 5, 2026)" in body and "“Draft”" in body
    assert "“Publish”" not in body


def test_the_daily_digest_goes_at_eight_local_with_everything_since_the_last(engine, mailbox, cfg, people):
    prefer(engine, BEN, EmailMode.digest, EventKind.due_24h, EventKind.overdue)
    tell(engine, BEN, "one", title="Outline")
    tell(engine, BEN, "two", kind=EventKind.overdue, title="Draft")
    tomorrow = utcnow().astimezone(OSLO).date() + timedelta(days=1)
    assert deliver(engine, people, cfg, oslo(tomorrow, 7, 59))["sent"] == 0
    assert mailbox.to("ben@example.com") == []
    assert deliver(engine, people, cfg, oslo(tomorrow, 8, 1))["sent"] == 1
    assert deliver(engine, people, cfg, oslo(tomorrow, 8, 30))["sent"] == 0
    [digest] = mailbox.to("ben@example.com")
    assert digest["Subject"] == "Your Effekt digest: 2 notifications"
    body = digest.get_body(("plain",)).get_content()
    assert "“Outline”" in body and "“Draft” in Summer post is overdue" in body
    tell(engine, BEN, "three", title="Review")  # after today's digest: tomorrow's
    assert deliver(engine, people, cfg, oslo(tomorrow, 12))["sent"] == 0
    assert deliver(engine, people, cfg, oslo(tomorrow + timedelta(days=1), 8, 5))["sent"] == 1
    later = mailbox.to("ben@example.com")[1]
    assert later["Subject"] == "Your Effekt digest: 1 notification"
    assert "“Review”" in later.get_body(("plain",)).get_content()
    assert "“Outline”" not in later.get_body(("plain",)).get_content()


def test_quiet_hours_hold_the_email_until_they_end(engine, mailbox, cfg, people):
    prefer(engine, BEN, EmailMode.immediate, quiet=(time(22), time(7)))
    tell(engine, BEN, "night")
    tomorrow = utcnow().astimezone(OSLO).date() + timedelta(days=1)
    assert deliver(engine, people, cfg, oslo(tomorrow, 23, 30))["deferred"] == 1
    assert deliver(engine, people, cfg, oslo(tomorrow + timedelta(days=1), 6, 59))["sent"] == 0
    assert mailbox.to("ben@example.com") == []
    assert deliver(engine, people, cfg, oslo(tomorrow + timedelta(days=1), 7, 0))["sent"] == 1


def test_email_off_for_a_kind_leaves_it_in_the_inbox_only(engine, mailbox, cfg, people):
    prefer(engine, BEN, EmailMode.off, EventKind.due_24h)
    tell(engine, BEN, "quiet")
    tell(engine, BEN, "loud", kind=EventKind.overdue)
    deliver(engine, people, cfg, utcnow() + timedelta(minutes=1))
    [msg] = mailbox.to("ben@example.com")
    assert "overdue" in msg["Subject"]
    with Session(engine) as s:
        assert service.unread_count(session=s, workspace_id=1, user_id=BEN) == 2


def test_no_smtp_host_means_no_email_and_nothing_planned(engine, mailbox, people):
    tell(engine, BEN, "x")
    assert deliver(engine, people, TasksSettings(), utcnow()) == dict.fromkeys(
        ("planned", "digests", "sent", "deferred", "failed", "taken"), 0
    )
    with Session(engine) as s:
        assert s.exec(select(Delivery)).all() == []


def test_a_server_that_is_away_is_tried_again_later(engine, mailbox, cfg, people):
    tell(engine, BEN, "x")
    away = cfg.model_copy(update={"smtp_port": free_port()})
    now = utcnow()
    assert deliver(engine, people, away, now)["failed"] == 1
    assert deliver(engine, people, cfg, now + timedelta(seconds=30))["sent"] == 0  # the back-off: a minute
    assert deliver(engine, people, cfg, now + timedelta(minutes=2))["sent"] == 1
    assert len(mailbox.to("ben@example.com")) == 1


def test_someone_who_left_the_workspace_gets_nothing_and_it_is_not_retried(engine, mailbox, cfg, people):
    tell(engine, 99, "x")
    assert deliver(engine, people, cfg, utcnow())["failed"] == 1
    with Session(engine) as s:
        assert s.exec(select(Delivery)).one().state == DeliveryState.failed


def test_two_workers_at_once_send_every_email_exactly_once(engine, mailbox, cfg, people):
    for i in range(12):
        tell(engine, ANNA if i % 2 else BEN, f"k{i}", kind=EventKind.overdue, title=f"Step {i}")
    now = utcnow()

    async def two():
        return await asyncio.gather(
            jobs.deliver(engine=engine, directory=people, now=now, cfg=cfg),
            jobs.deliver(engine=engine, directory=people, now=now, cfg=cfg),
        )

    rounds = run_async(two())
    rounds.append(deliver(engine, people, cfg, now + timedelta(minutes=1)))  # whatever a lost plan race left
    assert sum(r["sent"] for r in rounds) == 12
    assert len(mailbox.to("anna@example.com")) == 6 and len(mailbox.to("ben@example.com")) == 6
    ids = [m["Message-ID"] for m in mailbox.to("anna@example.com") + mailbox.to("ben@example.com")]
    assert len(set(ids)) == 12
    with Session(engine) as s:
        assert len(s.exec(select(Event)).all()) == 12


def test_a_worker_killed_while_sending_leaves_it_to_the_next_with_the_same_message_id(engine, mailbox, cfg, people):
    tell(engine, BEN, "x")
    now = utcnow()
    assert deliver(engine, people, cfg, now)["sent"] == 1  # the first worker sent it…
    with Session(engine) as s:  # …and was killed before marking it sent: the row stays claimed
        delivery = s.exec(select(Delivery)).one()
        delivery.state, delivery.sent_at, delivery.claimed_at = DeliveryState.sending, None, now
        s.add(delivery)
        s.commit()
    assert deliver(engine, people, cfg, now + timedelta(minutes=5))["sent"] == 0  # another worker's claim: hands off
    assert deliver(engine, people, cfg, now + timedelta(minutes=11))["sent"] == 1  # a stale claim is taken back
    first, again = mailbox.to("ben@example.com")
    assert first["Message-ID"] == again["Message-ID"]  # the mail client sees one message
    with Session(engine) as s:
        assert s.exec(select(Delivery)).one().state == DeliveryState.sent


def test_a_slow_worker_whose_claim_was_taken_back_does_not_send_it_too(engine, mailbox, cfg, people):
    tell(engine, BEN, "x")
    now = utcnow()
    outbox.plan(engine, now, timedelta(0))
    [mine] = outbox.claim(engine, now)
    assert outbox.renew(engine, mine, now, now + timedelta(seconds=1))  # still ours: the claim starts again
    later = now + timedelta(minutes=11)  # the first worker is still busy with its batch, past the stale time
    assert outbox.claim(engine, later) == [mine]  # another worker takes it back
    assert not outbox.renew(engine, mine, now + timedelta(seconds=1), later)  # the first one leaves it
    outbox.sent(engine, mine, later, "<late@example.com>", now + timedelta(seconds=1))  # nor writes its outcome
    with Session(engine) as s:
        assert s.exec(select(Delivery)).one().state == DeliveryState.sending
