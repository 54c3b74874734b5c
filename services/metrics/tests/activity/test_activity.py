"""Activity KPIs: a figure is applied once per version (a repeat or an older one changes nothing), it fills the
KPIs that take it, and linking a KPI fills it from the months known; the API's scoping contract."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from kit.roles import Role
from kit.testing import auth, check_contract, problem
from services.metrics.activity import service
from services.metrics.activity.models import ActivityMeasure
from services.metrics.observations.models import Observation
from services.metrics.tests.factories import make_kpi

URL = "/api/v1/activity"
JUNE, JULY = date(2026, 6, 1), date(2026, 7, 1)


def values(engine, kpi_id: int) -> list[tuple]:
    with Session(engine) as session:
        rows = session.exec(select(Observation).where(Observation.kpi_id == kpi_id).order_by(Observation.period_start))
        return [(o.period.value, o.period_start, o.value, o.source.value) for o in rows]


def record(session, month, value, version, measure=ActivityMeasure.runs_finished, key=7, ws=1) -> bool:
    applied = service.record(
        session, workspace_id=ws, measure=measure, key=key, month=month, value=value, version=version
    )
    session.commit()
    return applied


def test_a_figure_fills_its_kpis_once_per_version(client, engine, session):
    articles = make_kpi(client, name="Articles published")
    assert record(session, JUNE, 3, 1)  # before any KPI takes it: kept
    resp = client.put(
        f"{URL}/kpis/{articles['id']}", json={"measure": "runs_finished", "template_id": 7}, headers=auth()
    )
    assert resp.status_code == 200, resp.text
    assert values(engine, articles["id"]) == [("month", JUNE, 3.0, "activity")]
    assert client.get(f"/api/v1/kpis/{articles['id']}", headers=auth()).json()["source"] == "activity"
    assert record(session, JULY, 2, 1) and record(session, JUNE, 4, 2)
    assert not record(session, JUNE, 4, 2)  # the same change again: nothing
    assert not record(session, JUNE, 3, 1)  # an older one arriving late: nothing
    assert record(session, JUNE, 9, 5, key=8)  # another template's figure: kept, but not this KPI's
    assert values(engine, articles["id"]) == [("month", JUNE, 4.0, "activity"), ("month", JULY, 2.0, "activity")]
    assert record(session, JULY, None, 2)  # a figure gone: the month's value goes
    assert values(engine, articles["id"]) == [("month", JUNE, 4.0, "activity")]
    figures = client.get(f"{URL}/figures", params={"measure": "runs_finished"}, headers=auth(Role.viewer)).json()
    assert figures["count"] == 3 and figures["data"][0]["version"] == 2
    assert client.get(f"{URL}/figures", headers=auth(workspace_id=2)).json()["count"] == 0


def test_switching_and_removing_the_source(client, engine, session):
    hours = make_kpi(client, name="Hours spent on content")
    record(session, JUNE, 12.5, 1, measure=ActivityMeasure.hours_logged, key=0)
    record(session, JUNE, 8, 1, measure=ActivityMeasure.hours_logged, key=7)
    client.put(f"{URL}/kpis/{hours['id']}", json={"measure": "hours_logged"}, headers=auth())
    assert values(engine, hours["id"]) == [("month", JUNE, 12.5, "activity")]
    client.put(f"{URL}/kpis/{hours['id']}", json={"measure": "hours_logged", "template_id": 7}, headers=auth())
    assert values(engine, hours["id"]) == [("month", JUNE, 8.0, "activity")]
    assert client.get(f"{URL}/kpis", headers=auth()).json() == [
        {"kpi_id": hours["id"], "measure": "hours_logged", "template_id": 7}
    ]
    assert client.delete(f"{URL}/kpis/{hours['id']}", headers=auth()).status_code == 204
    assert values(engine, hours["id"]) == []
    assert client.get(f"/api/v1/kpis/{hours['id']}", headers=auth()).json()["source"] == "api"
    problem(client.get(f"{URL}/kpis/{hours['id']}", headers=auth()), 404)


def test_the_activity_api_keeps_the_contract(client):
    kpi = make_kpi(client, name="Tasks done")
    client.put(f"{URL}/kpis/{kpi['id']}", json={"measure": "tasks_done"}, headers=auth())
    check_contract(
        client,
        f"{URL}/kpis/{kpi['id']}",
        writes=[
            ("PUT", f"{URL}/kpis/{kpi['id']}", {"measure": "tasks_on_time"}),
            ("DELETE", f"{URL}/kpis/{kpi['id']}", None),
        ],
        owner=auth(),
        viewer=auth(Role.viewer),
        foreign=auth(workspace_id=2),
        missing=f"{URL}/kpis/999999",
    )
    put = client.put
    problem(
        put(f"{URL}/kpis/{kpi['id']}", json={"measure": "tasks_done", "template_id": 3}, headers=auth()),
        422,
        "template_id",
    )
    problem(put(f"{URL}/kpis/{kpi['id']}", json={"measure": "visits"}, headers=auth()), 422, "measure")
    problem(put(f"{URL}/kpis/{kpi['id']}", json={"measure": "tasks_done", "x": 1}, headers=auth()), 422)
    derived = make_kpi(client, name="Per article", formula="[Tasks done] * 2")
    problem(put(f"{URL}/kpis/{derived['id']}", json={"measure": "tasks_done"}, headers=auth()), 422, "kpi_id")
