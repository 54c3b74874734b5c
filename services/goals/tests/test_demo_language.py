"""The demo strategy in Swedish (issue 14): titles and descriptions translated, the KPI links still made from the
English names the metrics demo hands back."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from services.goals import demo
from services.goals.goals.models import Goal, GoalKpi
from services.goals.surfaces.models import Surface


def test_the_demo_strategy_in_swedish(engine, monkeypatch):
    monkeypatch.setenv("EFFEKT_DEMO_LANGUAGE", "sv")
    refs: dict = {}
    with Session(engine) as session:
        demo.seed(session, workspace_id=1, people={}, today=date(2026, 5, 17), refs=refs)
        assert set(refs["surfaces"]) == {name for name, *_ in demo.SURFACES}  # keyed by the English names
        refs["kpis"] = {"Online revenue": 31, "Conversion rate": 32}
        assert demo.connect(session, workspace_id=1, refs=refs) is True
        session.commit()
        titles = {g.title: g for g in session.exec(select(Goal)).all()}
        surfaces = {s.name for s in session.exec(select(Surface)).all()}
        links = {(session.get(Goal, link.goal_id).title, link.kpi_id) for link in session.exec(select(GoalKpi)).all()}
    assert "Öka näthandeln med 15 %" in titles and "Grow online revenue by 15 %" not in titles
    assert titles["Snabbare kassa i webbutiken"].description == "Vipps, sparade adresser och ett tydligt leveransdatum."
    assert {"Turbrevet nyhetsbrev", "Min side (kundportal)", "Nettbutikk"} <= surfaces
    assert ("Snabbare kassa i webbutiken", 32) in links
    assert len({t for t in titles if t.startswith(("Grow", "Cut", "Make", "Be "))}) == 0
