"""The demo's feedback: about 300 items over two years, most handled and a few open past target, the built-in
KPIs filled, delivery complaints that fall after the action made from them (confirmed by the effect evidence);
and the two content KPIs handed to the activity feed."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, func, select

from services.metrics import demo
from services.metrics.activity.models import ActivityKpi
from services.metrics.effects import service as effects
from services.metrics.effects.models import Probe
from services.metrics.feedback import service as feedback
from services.metrics.feedback.models import FeedbackItem, FeedbackState
from services.metrics.kpis.models import Kpi
from services.metrics.observations.models import Observation
from services.metrics.tests.factories import DEMO_PEOPLE as PEOPLE
from services.metrics.tests.factories import DEMO_SURFACES as SURFACES
from services.metrics.tests.factories import DEMO_TODAY as TODAY


def test_the_demo_feedback_and_the_complaints_the_action_reduced(session: Session):
    refs = {"surfaces": dict(SURFACES), "activity": {"template_id": 4, "months": ["2026-08-01", "2026-09-01"]}}
    assert demo.seed(session, workspace_id=1, people=PEOPLE, today=TODAY, refs=refs) is True
    session.commit()
    items = session.exec(select(FeedbackItem)).all()
    assert 280 <= len(items) <= 340
    assert len({i.channel for i in items}) >= 8 and len({i.category_id for i in items}) == 7
    handled = [i for i in items if i.state in (FeedbackState.answered, FeedbackState.resolved)]
    assert len(handled) / len(items) > 0.9
    late, _ = feedback.list_items(session=session, workspace_id=1, filters={"past_target": True}, limit=500)
    open_late = [i for i in late if i.first_answered_at is None]
    assert 3 <= len(open_late) <= 6
    assert min(i.received_month for i in items) == date(2024, 12, 1)

    kpis = refs["feedback_kpis"]
    assert {"Complaints", "Complaints: Delivery", "Dissatisfied customers (estimate)"} <= set(kpis)
    assert kpis["Complaints"] == refs["kpis"]["Complaints"]  # the hand-typed one became the built-in total
    complaints = session.exec(select(Observation).where(Observation.kpi_id == kpis["Complaints"])).all()
    assert {o.source.value for o in complaints} == {"feedback"} and len(complaints) == 24
    story = refs["effects"]["fewer_complaints"]
    assert story["kpi_id"] == kpis["Complaints: Delivery"] and story["done_on"] == "2026-07-08"
    assert len(story["feedback_item_ids"]) == 5 and set(story["feedback_item_ids"]) <= set(refs["feedback_items"])
    probe = Probe("fb", story["kpi_id"], date(2026, 7, 8), 3, "down", 40, "percent")
    effect = effects.compute(session=session, workspace_id=1, probes=[probe], today=TODAY)[0]
    assert effect.verdict == "confirmed", effect.reason
    assert effect.observed < effect.baseline

    # Articles published and Hours spent on content: fed by activity from the first month the tasks have
    fed = {k.kpi_id: k for k in session.exec(select(ActivityKpi)).all()}
    names = {k.id: k.name for k in session.exec(select(Kpi).where(Kpi.id.in_(list(fed)))).all()}
    assert sorted(names.values()) == ["Articles published", "Hours spent on content"]
    assert all(k.key == 4 for k in fed.values())
    for kpi_id in fed:
        last = session.exec(select(func.max(Observation.period_start)).where(Observation.kpi_id == kpi_id)).one()
        assert last == date(2026, 7, 1)  # typed in by hand until then
        assert session.get(Kpi, kpi_id).source.value == "activity"
