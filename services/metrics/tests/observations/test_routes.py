"""Observations through observations/service.py and through the HTTP API of the metrics service."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete

from kit.errors import Invalid, NotFound
from kit.roles import Role
from kit.testing import auth, check_contract, problem
from services.metrics.kpis import service as kpis
from services.metrics.kpis.models import Category, KpiCreate, Source
from services.metrics.observations import service
from services.metrics.observations.models import Observation, ObservationCreate, Period, period_start_problem
from services.metrics.tests.factories import make_kpi

URL = "/api/v1/observations"
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def push(client, kpi_id: int, *, status: int | None = None, headers: dict | None = None, **overrides):
    data = {"kpi_id": kpi_id, "period": "day", "period_start": "2026-03-02", "value": 10, **overrides}
    resp = client.post(URL, json=data, headers=headers or auth())
    if status is not None:
        assert resp.status_code == status, resp.text
    return resp


def item(kpi_id: int, day: date, value: float = 1.0, **overrides) -> dict:
    return {"kpi_id": kpi_id, "period": "day", "period_start": day.isoformat(), "value": value, **overrides}


def batch(client, items: list[dict], headers: dict | None = None):
    return client.post(f"{URL}/batch", json={"observations": items}, headers=headers or auth())


def listed(client, headers: dict | None = None, **params) -> dict:
    resp = client.get(URL, params=params, headers=headers or auth())
    assert resp.status_code == 200, resp.text
    return resp.json()


# --- period starts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "period, start, ok",
    [
        (Period.day, date(2026, 3, 4), True),
        (Period.week, date(2026, 3, 2), True),
        (Period.week, date(2026, 3, 4), False),
        (Period.week, date(2026, 3, 8), False),
        (Period.month, date(2026, 3, 1), True),
        (Period.month, date(2026, 3, 2), False),
    ],
)
def test_period_start_rules(period, start, ok):
    assert (period_start_problem(period, start) is None) is ok


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"period": "week", "period_start": "2026-03-04"}, "period_start"),
        ({"period": "month", "period_start": "2026-03-15"}, "period_start"),
        ({"period": "quarter", "period_start": "2026-01-01"}, "period"),
        ({"period_start": "soon"}, "period_start"),
        ({"value": "ten"}, "value"),
        ({"value": None}, "value"),
        ({"source": "guess"}, "source"),
        ({"note": "x" * 2001}, "note"),
        ({"kpi_id": 0}, "kpi_id"),
        ({"kpi_id": 2**31}, "kpi_id"),
        ({"note": "x\u0000y"}, "note"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, overrides, field):
    kpi = make_kpi(client)
    problem(push(client, **{"kpi_id": kpi["id"], **overrides}), 422, field)
    assert listed(client)["count"] == 0


def test_infinite_value_is_refused(client):
    kpi = make_kpi(client)
    body = f'{{"kpi_id": {kpi["id"]}, "period": "day", "period_start": "2026-03-02", "value": Infinity}}'
    problem(client.post(URL, content=body, headers={**auth(), "content-type": "application/json"}), 422, "value")


# --- single push: create, replace ----------------------------------------------------------------


def test_push_creates_then_replaces(client):
    kpi = make_kpi(client)
    first = push(client, kpi["id"], status=201, period="week", note="first count").json()
    assert first["replaced"] is False and first["source"] == "api" and first["value"] == 10
    assert (first["period"], first["period_start"], first["note"]) == ("week", "2026-03-02", "first count")
    second = push(client, kpi["id"], status=200, period="week", value=12.5, note=None).json()
    assert second["replaced"] is True and second["id"] == first["id"] and second["value"] == 12.5
    assert second["note"] is None and second["created_at"] == first["created_at"]
    assert second["updated_at"] >= first["updated_at"]
    page = listed(client)
    assert page["count"] == 1 and page["data"][0]["value"] == 12.5 and "replaced" not in page["data"][0]


def test_each_period_and_source_is_its_own_value(client):
    kpi = make_kpi(client)
    push(client, kpi["id"], status=201)
    push(client, kpi["id"], status=201, source="manual")
    push(client, kpi["id"], status=201, period="week")
    push(client, kpi["id"], status=201, period_start="2026-03-03")
    assert listed(client)["count"] == 4


def test_push_to_foreign_or_archived_kpi_is_422_naming_kpi_id(client):
    theirs = make_kpi(client, workspace_id=2)
    problem(push(client, theirs["id"]), 422, "kpi_id")
    problem(push(client, 99_999), 422, "kpi_id")
    mine = make_kpi(client, name="Complaints")
    client.post(f"/api/v1/kpis/{mine['id']}/archive", headers=auth())
    body = problem(push(client, mine["id"]), 422, "kpi_id")
    assert "archived" in body["errors"][0]["detail"]
    assert listed(client)["count"] == 0 and listed(client, auth(workspace_id=2))["count"] == 0


# --- batch ---------------------------------------------------------------------------------------


def test_batch_counts_created_and_replaced(client):
    kpi = make_kpi(client)
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(10)]
    resp = batch(client, [item(kpi["id"], d, n) for n, d in enumerate(days[:6])])
    assert resp.status_code == 200 and resp.json() == {"created": 6, "replaced": 0}
    resp = batch(client, [item(kpi["id"], d, 100 + n) for n, d in enumerate(days)])
    assert resp.json() == {"created": 4, "replaced": 6}
    values = [o["value"] for o in listed(client, limit=20)["data"]]
    assert values == [100 + n for n in range(10)]  # ordered by period start; every value replaced


def test_batch_larger_than_a_chunk(client, monkeypatch):
    monkeypatch.setattr(service, "CHUNK", 7)
    kpi = make_kpi(client)
    items = [item(kpi["id"], date(2026, 1, 1) + timedelta(days=n)) for n in range(30)]
    assert batch(client, items).json() == {"created": 30, "replaced": 0}
    assert batch(client, items[10:]).json() == {"created": 0, "replaced": 20}
    assert listed(client)["count"] == 30


def test_batch_is_all_or_nothing_and_names_every_bad_item(client):
    kpi = make_kpi(client)
    theirs = make_kpi(client, workspace_id=2, name="Theirs")
    archived = make_kpi(client, name="Old")
    client.post(f"/api/v1/kpis/{archived['id']}/archive", headers=auth())
    day = date(2026, 3, 2)
    items = [
        item(kpi["id"], day),
        item(theirs["id"], day),
        item(kpi["id"], day + timedelta(days=1)),
        item(archived["id"], day),
        item(kpi["id"], day, 5),
        item(404_404, day),
    ]
    body = problem(batch(client, items), 422)
    assert [e["field"] for e in body["errors"]] == [
        "observations.1.kpi_id",
        "observations.3.kpi_id",
        "observations.4.period_start",
        "observations.5.kpi_id",
    ]
    assert "observations.0" in body["errors"][2]["detail"]
    assert body["detail"].startswith("4 of 6 observations are invalid")
    assert listed(client)["count"] == 0


def test_batch_shape_errors_are_line_precise(client):
    kpi = make_kpi(client)
    items = [
        item(kpi["id"], date(2026, 3, 2)),
        item(kpi["id"], date(2026, 3, 4), period="week"),
        item(kpi["id"], date(2026, 3, 2), value="lots"),
        item(kpi["id"], date(2026, 3, 1), period="month"),
    ]
    body = problem(batch(client, items), 422)
    assert [e["field"] for e in body["errors"]] == ["observations.1.period_start", "observations.2.value"]
    assert listed(client)["count"] == 0


def test_batch_names_shape_and_kpi_errors_in_one_answer(client):
    kpi = make_kpi(client)
    theirs = make_kpi(client, workspace_id=2, name="Theirs")
    items = [
        item(theirs["id"], date(2026, 3, 2)),
        "not an object",
        item(kpi["id"], date(2026, 3, 4), period="week"),
        item(kpi["id"], date(2026, 3, 2)),
        {"kpi_id": kpi["id"], "period": "day"},
    ]
    body = problem(batch(client, items), 422)
    assert [e["field"] for e in body["errors"]] == [
        "observations.0.kpi_id",
        "observations.1",
        "observations.2.period_start",
        "observations.4.period_start",
        "observations.4.value",
    ]
    assert body["detail"].startswith("4 of 5 observations are invalid")
    assert listed(client)["count"] == 0


def test_batch_items_are_documented_as_observations(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    items = schemas["ObservationBatch"]["properties"]["observations"]["items"]
    assert items == {"$ref": "#/components/schemas/ObservationCreate"} and "ObservationCreate" in schemas


@pytest.mark.parametrize("payload", [{"observations": []}, {}, {"observations": "all"}])
def test_batch_needs_a_list_of_items(client, payload):
    problem(client.post(f"{URL}/batch", json=payload, headers=auth()), 422, "observations")


def test_batch_over_the_limit_is_422(client):
    kpi = make_kpi(client)
    items = [item(kpi["id"], date(2000, 1, 1) + timedelta(days=n)) for n in range(10_001)]
    problem(batch(client, items), 422, "observations")


# --- list, delete, roles, workspaces -------------------------------------------------------------


def test_list_filters(client):
    visits, nps = make_kpi(client)["id"], make_kpi(client, name="NPS")["id"]
    batch(
        client,
        [item(visits, date(2026, 1, 1) + timedelta(days=n)) for n in range(5)]
        + [item(nps, date(2026, 1, 5), period="week"), item(nps, date(2026, 2, 1), period="month")],
    )
    assert listed(client)["count"] == 7
    assert listed(client, kpi_id=nps)["count"] == 2
    assert [o["period"] for o in listed(client, kpi_id=nps)["data"]] == ["week", "month"]
    assert listed(client, period="month")["data"][0]["kpi_id"] == nps
    assert [o["period_start"] for o in listed(client, **{"from": "2026-01-03", "to": "2026-01-05"})["data"]] == [
        "2026-01-03",
        "2026-01-04",
        "2026-01-05",
        "2026-01-05",
    ]
    page = listed(client, kpi_id=visits, limit=2, offset=2, sort="-period_start")
    assert page["count"] == 5 and [o["period_start"] for o in page["data"]] == ["2026-01-03", "2026-01-02"]
    problem(client.get(URL, params={"from": "2026-02-01", "to": "2026-01-01"}, headers=auth()), 422, "to")
    problem(client.get(URL, params={"sort": "note"}, headers=auth()), 422, "sort")
    problem(client.get(URL, params={"period": "year"}, headers=auth()), 422, "period")


def test_delete(client):
    kpi = make_kpi(client)
    pushed = push(client, kpi["id"], status=201).json()
    problem(client.delete(f"{URL}/{pushed['id']}", headers=auth(Role.viewer)), 403)
    problem(client.delete(f"{URL}/{pushed['id']}", headers=auth(workspace_id=2)), 404)
    assert client.delete(f"{URL}/{pushed['id']}", headers=auth()).status_code == 204
    problem(client.delete(f"{URL}/{pushed['id']}", headers=auth()), 404)
    assert listed(client)["count"] == 0


def test_observations_keep_the_scoping_contract(client):
    kpi = make_kpi(client)
    pushed = push(client, kpi["id"], status=201).json()
    one = {"kpi_id": kpi["id"], "period": "day", "period_start": "2026-03-03", "value": 1}
    check_contract(
        client,
        f"{URL}?kpi_id={kpi['id']}",
        creates=[("POST", URL, one), ("POST", f"{URL}/batch", {"observations": [one]})],
        writes=[("DELETE", f"{URL}/{pushed['id']}")],
        owner=auth(),
        viewer=auth(Role.viewer),
        foreign=auth(workspace_id=2),
    )
    csv_url = f"/api/v1/kpis/{kpi['id']}/observations.csv"
    assert client.get(csv_url, headers=auth(Role.viewer)).status_code == 200
    problem(client.get(csv_url, headers=auth(workspace_id=2)), 404)
    problem(client.get(csv_url), 401)


def test_another_workspaces_observations_are_not_listed(client):
    theirs = make_kpi(client, workspace_id=2)
    push(client, theirs["id"], status=201, headers=auth(workspace_id=2))
    assert listed(client)["count"] == 0
    assert listed(client, auth(Role.viewer))["count"] == 0
    assert listed(client, auth(workspace_id=2))["count"] == 1


# --- CSV export ----------------------------------------------------------------------------------


def test_csv_export(client):
    kpi = make_kpi(client, name="=Visits")
    batch(
        client,
        [
            item(kpi["id"], date(2026, 3, 2), 1234.5, period="week", note='from GA, "cleaned"'),
            item(kpi["id"], date(2026, 3, 1), -3, period="month", source="manual", note="@boss"),
        ],
    )
    resp = client.get(f"/api/v1/kpis/{kpi['id']}/observations.csv", headers=auth())
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"] == f'attachment; filename="kpi-{kpi["id"]}-observations.csv"'
    rows = list(csv.reader(io.StringIO(resp.text)))
    assert rows == [
        ["kpi_id", "kpi_name", "period", "period_start", "value", "source", "note"],
        [str(kpi["id"]), "'=Visits", "month", "2026-03-01", "-3.0", "manual", "'@boss"],
        [str(kpi["id"]), "'=Visits", "week", "2026-03-02", "1234.5", "api", 'from GA, "cleaned"'],
    ]


def test_csv_of_a_kpi_without_observations_is_the_header(client):
    kpi = make_kpi(client)
    resp = client.get(f"/api/v1/kpis/{kpi['id']}/observations.csv", headers=auth())
    assert resp.text == "kpi_id,kpi_name,period,period_start,value,source,note\r\n"


# --- service and database directly ---------------------------------------------------------------


def test_service_rules(engine):  # noqa: F811
    with Session(engine) as session:
        kpi = kpis.create_kpi(session=session, workspace_id=1, data=KpiCreate(name="NPS", category=Category.result))
        data = ObservationCreate(
            kpi_id=kpi.id, period=Period.month, period_start=date(2026, 3, 1), value=41, source=Source("import")
        )
        row, replaced = service.push_observation(session=session, workspace_id=1, data=data)
        assert not replaced and row.source == "import" and row.workspace_id == 1
        again, replaced = service.push_observation(
            session=session, workspace_id=1, data=data.model_copy(update={"value": 44})
        )
        assert replaced and again.id == row.id and again.value == 44
        with pytest.raises(Invalid):
            service.push_observation(session=session, workspace_id=2, data=data)
        with pytest.raises(Invalid) as exc:
            service.push_batch(session=session, workspace_id=1, raw=[data, data])
        assert exc.value.errors[0]["field"] == "observations.1.period_start"
        with pytest.raises(NotFound):
            service.list_observations(session=session, workspace_id=2, kpi_id=kpi.id)
        with pytest.raises(NotFound):
            service.delete_observation(session=session, workspace_id=2, observation_id=row.id)


def test_the_database_keeps_one_value_per_key(engine):  # noqa: F811
    with Session(engine) as session:
        kpi = kpis.create_kpi(session=session, workspace_id=1, data=KpiCreate(name="NPS", category=Category.result))
        key = dict(workspace_id=1, kpi_id=kpi.id, period=Period.day, period_start=date(2026, 3, 2))
        session.add(Observation(**key, value=1))
        session.add(Observation(**key, value=2, source=Source("manual")))
        session.commit()
        session.add(Observation(**key, value=3))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
        # No foreign key (KPIs are archived, never deleted): removing one takes its values explicitly.
        session.exec(delete(Observation).where(col(Observation.kpi_id) == kpi.id))
        session.delete(kpi)
        session.commit()
        assert service.list_observations(session=session, workspace_id=1)[1] == 0


# --- derived KPIs take no observations --------------------------------------------------------------


def test_pushing_to_a_derived_kpi_is_422_on_kpi_id(client):
    cost = make_kpi(client, name="Cost", category="input")
    derived = make_kpi(client, name="Double cost", formula="[Cost] * 2")
    body = problem(push(client, derived["id"]), 422, "kpi_id")
    assert body["errors"][0]["detail"] == "derived KPI: values come from its formula"
    resp = batch(client, [item(cost["id"], date(2026, 3, 2)), item(derived["id"], date(2026, 3, 2))])
    body = problem(resp, 422, "observations.1.kpi_id")
    assert [e["field"] for e in body["errors"]] == ["observations.1.kpi_id"]
    assert "derived KPI" in body["errors"][0]["detail"]
    assert listed(client)["count"] == 0  # all or nothing
