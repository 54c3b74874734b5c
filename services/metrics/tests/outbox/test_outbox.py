"""The metrics outbox: rows written with the change (cycle opened, KPI stale), once per person and occurrence, and
pushed to the tasks queue (a real Redis), kept and retried while Redis is away."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from kit import embedded_redis
from kit.mailbox import free_port
from kit.queue import lazy_pool, queue_name
from services.metrics.cycles import snapshot
from services.metrics.kpis.models import Frequency
from services.metrics.outbox import jobs
from services.metrics.outbox.models import NotificationOutbox
from services.metrics.outbox.stale import tell_stale
from services.metrics.tests.factories import Q3, add_kpi, run_async

ANNA, BEN = 11, 12


def rows(engine) -> list[NotificationOutbox]:
    with Session(engine) as s:
        return list(s.exec(select(NotificationOutbox).order_by(NotificationOutbox.id)).all())


def open_q3(session):
    return snapshot.open_cycle(
        session=session,
        workspace_id=1,
        surface_id=7,
        surface_name="Web shop",
        cadence="quarterly",
        period_start=Q3[0],
        period_end=Q3[1],
    )


def owned(session, name, owner, **kw):
    kpi = add_kpi(session, name, **kw)
    kpi.owner_id = owner
    session.add(kpi)
    session.flush()
    return kpi


def test_an_opened_cycle_tells_the_owners_of_its_kpis_once(engine):
    with Session(engine) as s:
        owned(s, "Visits", ANNA)
        owned(s, "Orders", ANNA)
        owned(s, "NPS", BEN, surface_id=None)  # workspace-wide: in every surface's cycle
        owned(s, "Other surface", 99, surface_id=8)
        owned(s, "Archived", 98, archived=True)
        add_kpi(s, "Nobody's")
        s.commit()
    with Session(engine) as s:
        cycle, created = open_q3(s)
        cycle_id = cycle.id
        s.commit()
    assert created
    found = rows(engine)
    assert [(r.recipient_id, r.kind, r.key) for r in found] == [
        (ANNA, "cycle_opened", f"cycle:{cycle_id}:opened"),
        (BEN, "cycle_opened", f"cycle:{cycle_id}:opened"),
    ]
    assert found[0].link == f"/cycles/{cycle_id}" and found[0].params["cycle"] == "Web shop 2026-07-01–2026-09-30"
    with Session(engine) as s:
        assert open_q3(s)[1] is False
        s.commit()
    assert len(rows(engine)) == 2


def test_a_stale_kpi_tells_its_owner_once_per_gap(engine):
    today = date(2026, 12, 1)
    with Session(engine) as s:
        late = owned(s, "Late", ANNA, values={date(2026, 8, 1): 1.0})
        fresh = owned(s, "Fresh", ANNA, values={date(2026, 11, 1): 1.0})
        new = owned(s, "New", BEN)
        old = owned(s, "Never measured", BEN)
        old.created_at = datetime(2026, 1, 5, tzinfo=UTC)
        for kpi in (late, fresh, new, old):
            kpi.expected_frequency = Frequency.month
            s.add(kpi)
        s.commit()
        ids = {"late": late.id, "old": old.id}
    with Session(engine) as s:
        tell_stale(s, today)
        tell_stale(s, today + timedelta(days=1))  # the next day: the same gap, nothing new
        s.commit()
    assert [(r.recipient_id, r.key) for r in rows(engine)] == [
        (ANNA, f"kpi:{ids['late']}:stale:2026-08-01"),
        (BEN, f"kpi:{ids['old']}:stale:none"),
    ]
    assert rows(engine)[0].params == {"kpi": "Late", "last": "2026-08-01"}


@pytest.fixture
def redis_url(tmp_path):
    url = embedded_redis.start(tmp_path / "redis")
    yield url
    embedded_redis.stop(force=True)


def test_the_outbox_goes_to_the_tasks_queue_once_and_waits_while_redis_is_away(engine, redis_url):
    with Session(engine) as s:
        owned(s, "Visits", ANNA)
        owned(s, "NPS", BEN, surface_id=None)
        open_q3(s)
        s.commit()

    async def push(url, count=True):
        redis = lazy_pool(url)  # as the worker's: connects on first use
        try:
            sent = await jobs.push_notifications({"redis": redis, "metrics_engine": engine})
            return sent, (await redis.zcard(queue_name("tasks")) if count else None)
        finally:
            await redis.aclose()

    assert run_async(push(f"redis://127.0.0.1:{free_port()}/0", count=False)) == (0, None)  # Redis away
    waiting = rows(engine)
    assert all(r.pushed_at is None for r in waiting)
    assert [r.attempts for r in waiting] == [1, 0]  # the first tried (and due again later), the rest not yet
    assert waiting[0].next_attempt_at > datetime.now(UTC) and waiting[0].error
    with Session(engine) as s:  # the back-off has passed
        row = s.get(NotificationOutbox, waiting[0].id)
        row.next_attempt_at = datetime(2026, 1, 1, tzinfo=UTC)
        s.add(row)
        s.commit()
    assert run_async(push(redis_url)) == (2, 2)
    assert all(r.pushed_at is not None for r in rows(engine))
    assert run_async(push(redis_url)) == (0, 2)  # nothing twice
