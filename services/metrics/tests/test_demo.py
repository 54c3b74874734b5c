"""The demo's measurement: two years of believable observations and a web shop reviewed month by month."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, func, select

from services.metrics import demo
from services.metrics.cycles.models import Cycle, CycleFinding, CycleItem
from services.metrics.effects import service as effects
from services.metrics.kpis import service
from services.metrics.kpis.models import Category, Unit
from services.metrics.observations.models import Observation
from services.metrics.tests.factories import DEMO_PEOPLE, DEMO_SURFACES, DEMO_TODAY

TODAY, PEOPLE, SURFACES = DEMO_TODAY, DEMO_PEOPLE, DEMO_SURFACES


def test_two_years_of_data_and_four_reviewed_months(session):
    refs = {"surfaces": dict(SURFACES)}
    assert demo.seed(session, workspace_id=1, people=PEOPLE, today=TODAY, refs=refs) is True
    session.commit()
    assert set(refs["kpis"]) == {row[0] for row in demo.KPIS}
    first, last, count = session.exec(
        select(func.min(Observation.period_start), func.max(Observation.period_start), func.count())
    ).one()
    assert (first, last) == (date(2024, 11, 1), date(2026, 11, 23))  # two years, up to yesterday
    assert count > 2 * 2 * 365  # two KPIs fed daily, the rest monthly
    kpis, _ = service.list_kpis(session=session, workspace_id=1)
    figures = {k.name: k for k in service.with_figures(session=session, kpis=kpis, today=TODAY)}
    assert {f.status for f in figures.values()} >= {"on_track", "at_risk", "off_track"}  # every status shows
    assert figures["Visits"].surface_id == 1 and figures["Net Promoter Score"].surface_id is None

    cycles = session.exec(select(Cycle).order_by(Cycle.period_start)).all()
    assert [(c.period_start, c.status.value) for c in cycles] == [
        (date(2026, 7, 1), "closed"),
        (date(2026, 8, 1), "closed"),
        (date(2026, 9, 1), "closed"),
        (date(2026, 10, 1), "open"),
    ]
    items = session.exec(select(CycleItem)).all()
    assert all(i.root_cause for i in items if i.status == "off_track" and i.cycle_id != cycles[-1].id)
    assert any(i.note for i in items)
    findings = session.exec(select(CycleFinding)).all()
    assert {f.cycle_id for f in findings} == {c.id for c in cycles} and all(f.kpi_id for f in findings)

    again = {"surfaces": dict(SURFACES)}
    assert demo.seed(session, workspace_id=1, people=PEOPLE, today=TODAY, refs=again) is False  # once
    assert again["kpis"] == refs["kpis"]


def test_demo_seeds_believable_kpis_once(engine):
    people = {"ingrid.solberg@example.com": 11, "mikko.virtanen@example.com": 12, "sara.lindqvist@example.com": 13}
    with Session(engine) as session:
        assert demo.seed(session, workspace_id=1, people=people, today=date(2026, 3, 1)) is True
        assert demo.seed(session, workspace_id=1, people=people, today=date(2026, 3, 1)) is False
        session.commit()
        rows, total = service.list_kpis(session=session, workspace_id=1, limit=500)
    rows = [k for k in rows if k.name in {row[0] for row in demo.KPIS}]  # the built-in feedback ones: feedback/
    assert len(rows) == 10 and total > 10
    by_name = {k.name: k for k in rows}
    assert {k.category for k in rows} == set(Category)
    revenue = by_name["Online revenue"]
    assert (revenue.unit, revenue.currency_code, revenue.category) == (Unit.currency, "NOK", Category.result)
    assert by_name["Complaints"].direction == "lower_is_better"
    assert by_name["Hours spent on content"].unit == Unit.duration
    assert {k.owner_id for k in rows} == {11, 12, 13}
    assert all(k.baseline_date == date(2025, 12, 31) for k in rows)


def test_the_demo_effect_story_comes_out_as_told(session):
    """The two done actions of the tasks demo, asked as the tasks service asks: the checkout fix is confirmed,
    the review e-mail inconclusive (its window is where the KPI was a year before)."""
    refs = {"surfaces": dict(SURFACES)}
    assert demo.seed(session, workspace_id=1, people=PEOPLE, today=TODAY, refs=refs) is True
    story = refs["effects"]
    probes = [  # the demo actions' expectations (services/tasks/actions/demo.py): +8 % and +5 % in 3 months
        effects.parse_probe(f"{key}:{story[key]['kpi_id']}:{story[key]['done_on']}:3:up:{size}:percent")
        for key, size in (("confirmed", 8), ("inconclusive", 5))
    ]
    found = {e.ref: e for e in effects.compute(session=session, workspace_id=1, probes=probes, today=TODAY)}
    assert found["confirmed"].verdict == "confirmed", found["confirmed"]
    assert found["inconclusive"].verdict == "inconclusive", found["inconclusive"]
