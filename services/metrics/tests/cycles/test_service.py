"""Measurement cycles through the rules: periods, the frozen snapshot, exactly one cycle however many open it."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, date

import pytest
from sqlmodel import Session, select

from kit.errors import Conflict, Invalid
from kit.sqlcount import count_statements
from services.metrics.cycles import jobs, review, service, snapshot
from services.metrics.cycles.models import Cycle, CycleItem, FindingCreate, ItemReview, PeriodChoice
from services.metrics.observations.models import Observation
from services.metrics.tests.factories import Q3, add_kpi, run_async

Q2 = (date(2026, 4, 1), date(2026, 6, 30))
SURFACE = {"id": 7, "name": "Web shop", "cadence": "quarterly", "period_start": "2026-01-01"}


def seed(engine) -> dict[str, int]:
    with Session(engine) as s:
        ids = {
            "visits": add_kpi(
                s, "Visits", values={date(2026, 7, 1): 40.0, date(2026, 8, 1): 50.0, date(2026, 4, 1): 70.0}
            ).id,  # 90 of 100: on track
            "nps": add_kpi(s, "NPS", surface_id=None, values={date(2026, 9, 1): 30.0}).id,  # off track
            "other": add_kpi(s, "Other surface", surface_id=8, values={date(2026, 7, 1): 1.0}).id,
            "old": add_kpi(s, "Archived", archived=True).id,
            "foreign": add_kpi(s, "Foreign", workspace_id=2, values={date(2026, 7, 1): 1.0}).id,
        }
        s.commit()
    return ids


def open_q3(session: Session, **kw):
    return snapshot.open_cycle(
        session=session,
        workspace_id=1,
        surface_id=7,
        surface_name="Web shop",
        cadence="quarterly",
        period_start=Q3[0],
        period_end=Q3[1],
        **kw,
    )


def test_periods_follow_the_surface_cadence():
    anchor = date(2026, 1, 31)
    assert snapshot.period_of(anchor, "monthly", 1) == (date(2026, 2, 28), date(2026, 3, 30))
    assert snapshot.period_index(anchor, "monthly", date(2026, 3, 30)) == 1
    assert snapshot.period_index(anchor, "monthly", date(2026, 1, 30)) == -1
    today = date(2026, 11, 23)
    choose = snapshot.choose_period
    assert choose(
        anchor=date(2026, 1, 1), cadence="quarterly", today=today, period_start=None, choice=PeriodChoice.current
    ) == (date(2026, 10, 1), date(2026, 12, 31))
    assert (
        choose(
            anchor=date(2026, 1, 1),
            cadence="quarterly",
            today=today,
            period_start=None,
            choice=PeriodChoice.latest_ended,
        )
        == Q3
    )
    with pytest.raises(Invalid) as bad:
        choose(
            anchor=date(2026, 1, 1),
            cadence="quarterly",
            today=today,
            period_start=date(2026, 8, 1),
            choice=PeriodChoice.current,
        )
    assert bad.value.errors[0]["field"] == "period_start" and "2026-07-01" in bad.value.detail
    with pytest.raises(Invalid):
        choose(
            anchor=date(2026, 1, 1),
            cadence="quarterly",
            today=today,
            period_start=date(2027, 1, 1),
            choice=PeriodChoice.current,
        )
    with pytest.raises(Invalid) as none:
        choose(
            anchor=date(2026, 11, 1), cadence="yearly", today=today, period_start=None, choice=PeriodChoice.latest_ended
        )
    assert none.value.errors[0]["field"] == "period"


def test_snapshot_freezes_the_surface_and_workspace_wide_kpis(engine):
    ids = seed(engine)
    with Session(engine) as s:
        cycle, created = open_q3(s)
        s.commit()
        assert created and cycle.status == "open" and cycle.opened_by is None
        items = {i.kpi_id: i for i in s.exec(select(CycleItem).where(CycleItem.cycle_id == cycle.id)).all()}
    assert set(items) == {ids["visits"], ids["nps"]}
    visits = items[ids["visits"]]
    assert (visits.value, visits.target, visits.attainment, visits.status) == (90.0, 100.0, 0.9, "on_track")
    assert (visits.previous_value, visits.change) == (70.0, 20.0)  # first cycle: the period before
    assert (items[ids["nps"]].status, items[ids["nps"]].previous_value) == ("off_track", None)
    # later data changes nothing frozen, until an open cycle is refreshed
    with Session(engine) as s:
        s.add(Observation(kpi_id=ids["nps"], workspace_id=1, period="month", period_start=date(2026, 8, 1), value=65.0))
        s.commit()
        assert [i.value for i in service.detail(session=s, cycle=s.get(Cycle, cycle.id)).items] == [30.0, 90.0]
        review.review_item(
            session=s, workspace_id=1, cycle_id=cycle.id, kpi_id=ids["nps"], data=ItemReview(note="Survey late")
        )
        snapshot.refresh(session=s, cycle=s.get(Cycle, cycle.id))
        s.commit()
        nps = service.detail(session=s, cycle=s.get(Cycle, cycle.id)).items[0]
    assert (nps.name, nps.value, nps.status, nps.note) == ("NPS", 95.0, "on_track", "Survey late")


def test_change_is_against_the_previous_cycle_of_the_surface(engine):
    ids = seed(engine)
    with Session(engine) as s:
        q2, _ = snapshot.open_cycle(
            session=s,
            workspace_id=1,
            surface_id=7,
            surface_name="Web shop",
            cadence="quarterly",
            period_start=Q2[0],
            period_end=Q2[1],
        )
        s.exec(select(CycleItem).where(CycleItem.cycle_id == q2.id, CycleItem.kpi_id == ids["visits"])).one()
        item = s.exec(select(CycleItem).where(CycleItem.cycle_id == q2.id, CycleItem.kpi_id == ids["visits"])).one()
        item.value = 60.0  # the cycle froze what it saw then
        s.add(item)
        q3, _ = open_q3(s)
        s.commit()
        visits = s.exec(select(CycleItem).where(CycleItem.cycle_id == q3.id, CycleItem.kpi_id == ids["visits"])).one()
    assert (visits.previous_value, visits.change) == (60.0, 30.0)


def test_opening_twice_keeps_one_cycle_and_by_hand_is_a_conflict(engine):
    seed(engine)
    with Session(engine) as s:
        first, created = open_q3(s)
        again, created_again = open_q3(s)
        s.commit()
        assert created and not created_again and again.id == first.id
        with pytest.raises(Conflict) as conflict:
            snapshot.open_for_surface(
                session=s,
                workspace_id=1,
                surface=SURFACE,
                opened_by=3,
                period=PeriodChoice.latest_ended,
                today=date(2026, 11, 23),
            )
    assert str(first.id) in conflict.value.detail
    assert conflict.value.headers["Location"] == f"/api/v1/cycles/{first.id}"


def count_cycles(engine) -> tuple[int, int]:
    with Session(engine) as s:
        return len(s.exec(select(Cycle)).all()), len(s.exec(select(CycleItem)).all())


def test_the_job_run_twice_concurrently_opens_one_cycle(engine):
    seed(engine)
    args = (1, 7, "Web shop", "quarterly", Q3[0].isoformat(), Q3[1].isoformat())
    ctx = {"metrics_engine": engine}

    async def both():
        return await asyncio.gather(*(jobs.open_cycle(ctx, *args) for _ in range(4)))

    ids = run_async(both())
    assert len(set(ids)) == 1
    assert count_cycles(engine) == (1, 2)


def test_threads_racing_to_open_make_one_cycle(engine):
    seed(engine)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            with Session(engine) as s:
                barrier.wait()
                cycle, created = open_q3(s)
                s.commit()
                results.append((cycle.id, created))
        except Exception as exc:  # noqa: BLE001  (the assertion below reports it)
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({cycle_id for cycle_id, _ in results}) == 1 and sum(created for _, created in results) == 1
    assert count_cycles(engine) == (1, 2)


def test_opening_does_not_grow_in_queries_with_kpis(engine):
    counts = []
    for n, surface in ((3, 7), (60, 9)):
        with Session(engine) as s:
            for i in range(n):
                add_kpi(s, f"S{surface}-{i}", surface_id=surface, values={Q3[0]: float(i)})
            s.commit()
        with count_statements(engine) as log, Session(engine) as s:
            snapshot.open_cycle(
                session=s,
                workspace_id=1,
                surface_id=surface,
                surface_name="S",
                cadence="quarterly",
                period_start=Q3[0],
                period_end=Q3[1],
            )
            s.commit()
        counts.append(log.count)
    assert counts[0] == counts[1], counts


def test_close_needs_a_root_cause_on_every_off_track_kpi(engine):
    ids = seed(engine)
    with Session(engine) as s:
        cycle, _ = open_q3(s)
        with pytest.raises(Invalid) as refused:
            review.close_cycle(session=s, workspace_id=1, cycle_id=cycle.id, user_id=3)
        assert [e["field"] for e in refused.value.errors] == [f"items.{ids['nps']}.root_cause"]
        review.review_item(
            session=s,
            workspace_id=1,
            cycle_id=cycle.id,
            kpi_id=ids["nps"],
            data=ItemReview(root_cause="  Survey sent late  "),
            user_id=3,
        )
        finding = review.add_finding(
            session=s,
            workspace_id=1,
            cycle_id=cycle.id,
            user_id=3,
            data=FindingCreate(text="Checkout slow", kpi_id=ids["visits"], change_kind="technology"),
        )
        closed = review.close_cycle(session=s, workspace_id=1, cycle_id=cycle.id, user_id=3)
        s.commit()
        assert (closed.status, closed.closed_by) == ("closed", 3) and closed.closed_at is not None
        with pytest.raises(Conflict):
            review.review_item(
                session=s, workspace_id=1, cycle_id=cycle.id, kpi_id=ids["nps"], data=ItemReview(note="late")
            )
        with pytest.raises(Conflict):
            review.delete_finding(session=s, workspace_id=1, cycle_id=cycle.id, finding_id=finding.id)
        with pytest.raises(Conflict):
            snapshot.refresh(session=s, cycle=closed)
        detail = service.detail(session=s, cycle=closed)
    assert detail.items[0].root_cause == "Survey sent late" and detail.missing_root_causes == 0
    assert detail.findings[0].kpi_name == "Visits"


def test_the_demo_seed_can_backdate_a_whole_review(engine):
    """What the demo seed calls, with a Session and no HTTP: open for a past period, review, close, all backdated."""
    from datetime import datetime

    ids = seed(engine)
    then = datetime(2026, 10, 3, 9, 0, tzinfo=UTC)
    with Session(engine) as s:
        cycle = snapshot.open_for_surface(
            session=s,
            workspace_id=1,
            surface=SURFACE,
            opened_by=None,
            period=PeriodChoice.latest_ended,
            today=date(2026, 10, 2),
            at=then,
        )
        review.review_item(
            session=s,
            workspace_id=1,
            cycle_id=cycle.id,
            kpi_id=ids["nps"],
            data=ItemReview(note="Fewer answers", root_cause="Survey sent late"),
            user_id=2,
        )
        review.add_finding(
            session=s,
            workspace_id=1,
            cycle_id=cycle.id,
            user_id=2,
            at=then,
            data=FindingCreate(text="Ask in the receipt e-mail", kpi_id=ids["nps"], change_kind="channel"),
        )
        review.close_cycle(session=s, workspace_id=1, cycle_id=cycle.id, user_id=2, at=then)
        s.commit()
        detail = service.detail(session=s, cycle=s.get(Cycle, cycle.id))
    assert (detail.period_start, detail.period_end, detail.status) == (Q3[0], Q3[1], "closed")
    assert detail.opened_at == then and detail.closed_at == then and detail.findings[0].created_at == then
