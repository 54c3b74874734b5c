"""Activity KPIs: a figure is applied once per version (a repeat or an older one changes nothing), it fills the
KPIs that take it, and linking a KPI fills it from the months known; the API's scoping contract."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, select

from kit.fields import utcnow
from kit.roles import Role
from kit.testing import auth, check_contract, problem
from services.metrics.activity import service
from services.metrics.activity.models import ActivityMeasure
from services.metrics.observations.models import Observation
from services.metrics.tests.factories import make_kpi

URL = "/api/v1/activity"
# The two months before this one: the months after a KPI's first figure that have none count as 0 up to now.
NOW = utcnow().date().replace(day=1)
JULY = (NOW - timedelta(days=1)).replace(day=1)
JUNE = (JULY - timedelta(days=1)).replace(day=1)


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
    assert values(engine, articles["id"]) == [
        ("month", JUNE, 3.0, "activity"),
        ("month", JULY, 0.0, "activity"),  # no runs finished: 0, not missing
        ("month", NOW, 0.0, "activity"),
    ]
    assert client.get(f"/api/v1/kpis/{articles['id']}", headers=auth()).json()["source"] == "activity"
    assert record(session, JULY, 2, 1) and record(session, JUNE, 4, 2)
    assert not record(session, JUNE, 4, 2)  # the same change again: nothing
    assert not record(session, JUNE, 3, 1)  # an older one arriving late: nothing
    assert record(session, JUNE, 9, 5, key=8)  # another template's figure: kept, but not this KPI's
    assert values(engine, articles["id"]) == [
        ("month", JUNE, 4.0, "activity"),
        ("month", JULY, 2.0, "activity"),
        ("month", NOW, 0.0, "activity"),
    ]
    assert record(session, JULY, None, 2)  # a figure gone: the month's value goes back to 0
    assert values(engine, articles["id"]) == [
        ("month", JUNE, 4.0, "activity"),
        ("month", JULY, 0.0, "activity"),
        ("month", NOW, 0.0, "activity"),
    ]
    figures = client.get(f"{URL}/figures", params={"measure": "runs_finished"}, headers=auth(Role.viewer)).json()
    assert figures["count"] == 3 and figures["data"][0]["version"] == 2
    assert client.get(f"{URL}/figures", headers=auth(workspace_id=2)).json()["count"] == 0


def test_switching_and_removing_the_source(client, engine, session):
    hours = make_kpi(client, name="Hours spent on content")
    record(session, JUNE, 12.5, 1, measure=ActivityMeasure.hours_logged, key=0)
    record(session, JUNE, 8, 1, measure=ActivityMeasure.hours_logged, key=7)
    client.put(f"{URL}/kpis/{hours['id']}", json={"measure": "hours_logged"}, headers=auth())
    assert values(engine, hours["id"]) == [
        ("month", JUNE, 12.5, "activity"),
        ("month", JULY, 0.0, "activity"),
        ("month", NOW, 0.0, "activity"),
    ]
    client.put(f"{URL}/kpis/{hours['id']}", json={"measure": "hours_logged", "template_id": 7}, headers=auth())
    assert values(engine, hours["id"]) == [
        ("month", JUNE, 8.0, "activity"),
        ("month", JULY, 0.0, "activity"),
        ("month", NOW, 0.0, "activity"),
    ]
    assert client.get(f"{URL}/kpis", headers=auth()).json() == [
        {"kpi_id": hours["id"], "measure": "hours_logged", "template_id": 7}
    ]
    assert client.delete(f"{URL}/kpis/{hours['id']}", headers=auth()).status_code == 204
    assert values(engine, hours["id"]) == []
    assert client.get(f"/api/v1/kpis/{hours['id']}", headers=auth()).json()["source"] == "api"
    problem(client.get(f"{URL}/kpis/{hours['id']}", headers=auth()), 404)


def test_months_without_activity_are_zero_once_and_a_late_figure_replaces_the_zero(client, engine, session):
    articles = make_kpi(client, name="Articles published")
    on_time = make_kpi(client, name="On-time share", unit="percent")
    client.put(f"{URL}/kpis/{articles['id']}", json={"measure": "runs_finished", "template_id": 7}, headers=auth())
    client.put(f"{URL}/kpis/{on_time['id']}", json={"measure": "tasks_on_time"}, headers=auth())
    september, december = date(2025, 9, 1), date(2025, 12, 1)
    service.record(
        session,
        workspace_id=1,
        measure=ActivityMeasure.runs_finished,
        key=7,
        month=september,
        value=2,
        version=1,
        today=date(2025, 11, 20),
    )
    record(session, september, 0.8, 1, measure=ActivityMeasure.tasks_on_time, key=0)
    session.commit()
    expected = [("month", september, 2.0, "activity"), ("month", date(2025, 10, 1), 0.0, "activity")]
    assert values(engine, articles["id"])[:3] == [*expected, ("month", date(2025, 11, 1), 0.0, "activity")]
    assert values(engine, on_time["id"]) == [("month", september, 0.8, "activity")]  # a share without tasks: none
    # the cron adds the month that began, once: a second run writes nothing
    assert service.fill_all_empty_months(session, today=december) == 1  # December began with nothing
    assert service.fill_all_empty_months(session, today=december) == 0
    session.commit()
    assert record(session, date(2025, 10, 1), 1, 1)  # the month's figure arrives late: it replaces the 0
    rows = values(engine, articles["id"])
    assert rows[1] == ("month", date(2025, 10, 1), 1.0, "activity")
    assert len(rows) == len({r[1] for r in rows})  # one value a month, exactly once
    assert rows[-1] == ("month", NOW, 0.0, "activity") and len(rows) == len(service._month_range(september, NOW))


def test_the_cron_fills_a_month_that_began_with_nothing_published(client, engine, session):
    hours = make_kpi(client, name="Hours on content")
    service.record(
        session,
        workspace_id=1,
        measure=ActivityMeasure.hours_logged,
        key=0,
        month=date(2025, 1, 1),
        value=5,
        version=1,
        today=date(2025, 1, 15),
    )
    service.link(
        session=session,
        workspace_id=1,
        kpi_id=hours["id"],
        measure=ActivityMeasure.hours_logged,
        template_id=None,
        today=date(2025, 1, 15),
    )
    session.commit()
    assert values(engine, hours["id"]) == [("month", date(2025, 1, 1), 5.0, "activity")]
    assert service.fill_all_empty_months(session, today=date(2025, 3, 2)) == 2
    assert service.fill_all_empty_months(session, today=date(2025, 3, 2)) == 0
    session.commit()
    assert [r[1:3] for r in values(engine, hours["id"])] == [
        (date(2025, 1, 1), 5.0),
        (date(2025, 2, 1), 0.0),
        (date(2025, 3, 1), 0.0),
    ]


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
