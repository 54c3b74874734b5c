"""The goals service's part of the demo (demo.py): surfaces and a strategy, seeded once."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from services.goals import demo
from services.goals.goals.models import Goal, GoalKpi, GoalLevel, GoalSurface
from services.goals.goals.tree import Forest
from services.goals.surfaces import service as surfaces
from services.goals.surfaces.models import Cadence


def test_demo_seeds_the_surfaces_once(engine):
    people = {"ingrid.solberg@example.com": 11, "mikko.virtanen@example.com": 12, "sara.lindqvist@example.com": 13}
    with Session(engine) as session:
        assert demo.seed(session, workspace_id=1, people=people, today=date(2026, 5, 17)) is True
        assert demo.seed(session, workspace_id=1, people=people, today=date(2026, 5, 17)) is False
        session.commit()
        rows, total = surfaces.list_surfaces(session=session, workspace_id=1)
    assert total == len(demo.SURFACES)
    assert {s.owner_id for s in rows} == {11, 12, 13}
    monthly = [s for s in rows if s.cadence == Cadence.monthly]
    assert monthly and all(s.period_start == date(2026, 1, 1) for s in rows)  # cycles line up from New Year
    assert all(surfaces.to_public(s, today=date(2026, 5, 17)).next_measurement == date(2026, 6, 1) for s in monthly)


def test_demo_seeds_a_believable_strategy_once(engine):
    people = {
        "demo@example.com": 1,
        "ingrid.solberg@example.com": 2,
        "mikko.virtanen@example.com": 3,
        "sara.lindqvist@example.com": 4,
    }
    with Session(engine) as session:
        assert demo.seed(session, workspace_id=1, people=people, today=date(2026, 5, 17)) is True
        assert demo.seed(session, workspace_id=1, people=people, today=date(2026, 5, 17)) is False
        session.commit()
    with Session(engine) as session:
        forest = Forest.load(session, 1)
        levels = [g.level for g in forest.goals.values()]
        assert levels.count(GoalLevel.strategic_goal) == 2
        assert levels.count(GoalLevel.strategic_means) == 4
        assert levels.count(GoalLevel.tactical_means) == 8
        assert all(
            g.period_from == date(2026, 1, 1) and g.period_to == date(2026, 12, 31) and g.owner_id
            for g in forest.goals.values()
        )
        tactical = [g for g in forest.goals.values() if g.level == GoalLevel.tactical_means]
        assert all(forest.surfaces[g.id] for g in tactical)
        assert len({s for g in tactical for s in forest.surfaces[g.id]}) == len(demo.SURFACES)  # every surface serves
        assert session.exec(select(GoalSurface)).all()
        assert session.exec(select(Goal).where(Goal.workspace_id == 2)).all() == []


def test_demo_hands_surfaces_on_and_links_the_kpis_it_gets_back(engine):
    refs: dict = {}
    with Session(engine) as session:
        demo.seed(session, workspace_id=1, people={}, today=date(2026, 5, 17), refs=refs)
        assert set(refs["surfaces"]) == {name for name, *_ in demo.SURFACES}
        assert demo.connect(session, workspace_id=1, refs={}) is False  # no KPIs yet: nothing to link
        refs["kpis"] = {"Online revenue": 31, "Conversion rate": 32, "Time to answer complaints": 33}
        assert demo.connect(session, workspace_id=1, refs=refs) is True
        assert demo.connect(session, workspace_id=1, refs=refs) is False  # once
        session.commit()
        links = {
            (session.get(Goal, link.goal_id).title, link.kpi_id, link.weight)
            for link in session.exec(select(GoalKpi)).all()
        }
    assert ("Faster checkout in the web shop", 32, 2.0) in links
    assert ("Answer complaints on Facebook within 4 hours", 33, 2.0) in links
    assert {kpi for _, kpi, _ in links} == {31, 32, 33}
