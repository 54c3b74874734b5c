"""Events from the metrics service, as the tasks worker takes them off its queue: the allowed kinds, once each."""

from __future__ import annotations

from sqlmodel import Session, select

from services.tasks.events.models import Event
from services.tasks.notifications.inbound import take
from services.tasks.notifications.messages import text

CYCLE = {
    "workspace_id": 1,
    "recipient_id": 11,
    "kind": "cycle_opened",
    "key": "cycle:5:opened",
    "link": "/cycles/5",
    "params": {"cycle": "Web shop 2026-07-01–2026-09-30", "surface": "Web shop"},
}


def test_a_metrics_event_is_recorded_once_however_often_it_arrives(engine):
    assert take(engine, CYCLE) is True
    assert take(engine, CYCLE) is False  # the outbox pushed it again after a crash: nothing new
    assert take(engine, {**CYCLE, "recipient_id": 12}) is True  # the same occurrence for another owner
    with Session(engine) as s:
        events = s.exec(select(Event).order_by(Event.id)).all()
    assert [(e.recipient_id, e.kind.value, e.key) for e in events] == [
        (11, "cycle_opened", "cycle:5:opened"),
        (12, "cycle_opened", "cycle:5:opened"),
    ]
    assert text(events[0].kind, events[0].params, "fi") == "Mittausjakso Web shop 2026-07-01–2026-09-30 on avattu"


def test_other_kinds_and_odd_payloads_are_refused(engine):
    assert take(engine, {**CYCLE, "kind": "assigned"}) is False  # only tasks itself hands out steps
    assert take(engine, {**CYCLE, "kind": "nonsense"}) is False
    assert take(engine, {**CYCLE, "recipient_id": "x"}) is False
    assert take(engine, {k: v for k, v in CYCLE.items() if k != "key"}) is False
    assert take(engine, {**CYCLE, "key": "k2", "link": "https://elsewhere.example"}) is True
    with Session(engine) as s:
        assert [e.link for e in s.exec(select(Event)).all()] == [None]  # a link leads inside Effekt or nowhere
