"""The demo in the language chosen at first start (issue 14): KPIs, cycle notes and findings in Norwegian, while
what one service hands the next stays keyed by the English names."""

from __future__ import annotations

from sqlmodel import select

from kit.demo_language import english
from services.metrics import demo
from services.metrics.cycles.models import CycleFinding, CycleItem
from services.metrics.kpis.models import Kpi
from services.metrics.tests.factories import DEMO_PEOPLE, DEMO_SURFACES, DEMO_TODAY

TODAY, PEOPLE, SURFACES = DEMO_TODAY, DEMO_PEOPLE, DEMO_SURFACES


def test_the_demo_in_norwegian(session, monkeypatch):
    monkeypatch.setenv("EFFEKT_DEMO_LANGUAGE", "nb")
    refs = {"surfaces": dict(SURFACES)}
    assert demo.seed(session, workspace_id=1, people=PEOPLE, today=TODAY, refs=refs) is True
    session.commit()
    names = {k.name for k in session.exec(select(Kpi)).all()}
    assert {"Besøk", "Konverteringsrate", "Klager", "Svartid på klager"} <= names
    assert "Visits" not in names
    assert set(refs["kpis"]) == {row[0] for row in demo.KPIS}  # the keys stay English
    visits = session.exec(select(Kpi).where(Kpi.name == "Besøk")).one()
    assert visits.surface_id == 1 and visits.description.startswith("Økter på")
    findings = {f.text for f in session.exec(select(CycleFinding)).all()}
    assert "Vis den reelle leveringsdatoen på hver produktside." in findings
    assert all(english(text) != text for text in findings)  # every finding was written in Norwegian
    notes = [i.note for i in session.exec(select(CycleItem)).all() if i.note]
    assert notes and all(english(note) != note for note in notes)
    assert refs["findings"] and refs["effects"]

    again = {"surfaces": dict(SURFACES)}
    assert demo.seed(session, workspace_id=1, people=PEOPLE, today=TODAY, refs=again) is False
    assert again["kpis"] == refs["kpis"]
