"""KPIs through the HTTP API of the metrics service."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from kit.roles import Role
from kit.testing import auth, check_contract, problem
from services.metrics.kpis.models import Category, Kpi
from services.metrics.tests.factories import make_kpi

URL = "/api/v1/kpis"
# The short test key is the point of a test; production keys are 48 random bytes.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def names(resp) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [k["name"] for k in resp.json()["data"]]


# --- create, get, list ---------------------------------------------------------------------------


def test_create_then_get_and_list(client):
    created = make_kpi(
        client,
        name="  Online revenue ",
        unit="currency",
        currency_code="NOK",
        surface_id=7,
        owner_id=3,
        baseline_value=2350000,
        baseline_date="2025-12-31",
        description="Ex VAT",
    )
    assert created["name"] == "Online revenue" and created["currency_code"] == "NOK"
    assert created["unit"] == "currency" and created["category"] == "result"
    assert created["surface_id"] == 7 and created["owner_id"] == 3
    assert created["baseline_value"] == 2350000 and created["baseline_date"] == "2025-12-31"
    assert created["archived"] is False and created["created_at"] and created["updated_at"]
    assert client.get(f"{URL}/{created['id']}", headers=auth()).json() == created
    listed = client.get(URL, headers=auth()).json()
    assert listed["count"] == 1 and listed["data"] == [created]


def test_defaults(client):
    resp = client.post(URL, json={"name": "Articles published", "category": "activity"}, headers=auth())
    assert resp.status_code == 201, resp.text
    kpi = resp.json()
    assert (kpi["unit"], kpi["direction"], kpi["aggregation"]) == ("number", "higher_is_better", "sum")
    assert kpi["currency_code"] is None and kpi["surface_id"] is None and kpi["baseline_value"] is None


def test_currency_code_is_normalised(client):
    assert make_kpi(client, unit="currency", currency_code=" nok ")["currency_code"] == "NOK"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"unit": "currency"}, "currency_code"),
        ({"unit": "currency", "currency_code": ""}, "currency_code"),
        ({"unit": "number", "currency_code": "NOK"}, "currency_code"),
        ({"unit": "currency", "currency_code": "KRONER"}, "currency_code"),
        ({"unit": "currency", "currency_code": "N0K"}, "currency_code"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": "x" * 2001}, "description"),
        ({"unit": "furlongs"}, "unit"),
        ({"direction": "sideways"}, "direction"),
        ({"aggregation": "median"}, "aggregation"),
        ({"category": None}, "category"),
        ({"surface_id": "seven"}, "surface_id"),
        ({"baseline_date": "soon"}, "baseline_date"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, overrides, field):
    data = {"name": "Revenue", "category": "result", **overrides}
    problem(client.post(URL, json=data, headers=auth()), 422, field)
    assert client.get(URL, headers=auth()).json()["count"] == 0


def test_infinite_baseline_is_refused(client):
    body = '{"name": "Visits", "category": "result", "baseline_value": NaN}'
    resp = client.post(URL, content=body, headers={**auth(), "content-type": "application/json"})
    problem(resp, 422, "baseline_value")


def test_unknown_id_is_404(client):
    problem(client.get(f"{URL}/999", headers=auth()), 404)


# --- unique names --------------------------------------------------------------------------------


def test_duplicate_name_is_409_ignoring_case(client):
    make_kpi(client, name="Visits")
    body = problem(client.post(URL, json={"name": "visits ", "category": "result"}, headers=auth()), 409, "name")
    assert body["errors"] == [{"field": "name", "pointer": "/name", "detail": "already used"}]
    assert client.get(URL, headers=auth()).json()["count"] == 1


def test_names_are_free_across_workspaces_and_after_archiving(client):
    first = make_kpi(client, name="Visits")
    make_kpi(client, workspace_id=2, name="Visits")
    client.post(f"{URL}/{first['id']}/archive", headers=auth())
    second = make_kpi(client, name="Visits")
    problem(client.post(f"{URL}/{first['id']}/restore", headers=auth()), 409, "name")
    problem(client.patch(f"{URL}/{second['id']}", json={"name": "Sessions"}, headers=auth(Role.viewer)), 403)
    assert client.patch(f"{URL}/{second['id']}", json={"name": "Sessions"}, headers=auth()).status_code == 200
    assert client.post(f"{URL}/{first['id']}/restore", headers=auth()).status_code == 200


def test_rename_onto_another_kpi_is_409_but_own_name_is_fine(client):
    make_kpi(client, name="Visits")
    other = make_kpi(client, name="Complaints", direction="lower_is_better")
    problem(client.patch(f"{URL}/{other['id']}", json={"name": "VISITS"}, headers=auth()), 409, "name")
    same = client.patch(f"{URL}/{other['id']}", json={"name": "complaints"}, headers=auth())
    assert same.status_code == 200 and same.json()["name"] == "complaints"


def test_the_database_also_refuses_duplicate_active_names(engine):
    with Session(engine) as session:
        session.add(Kpi(workspace_id=1, name="Visits", category=Category.result))
        session.add(Kpi(workspace_id=1, name="Visits", category=Category.result, archived=True))
        session.flush()
        session.add(Kpi(workspace_id=1, name="Visits", category=Category.result))
        with pytest.raises(IntegrityError):
            session.flush()


# --- patch ---------------------------------------------------------------------------------------


def test_patch_changes_only_what_was_sent(client):
    kpi = make_kpi(client, description="Sessions", surface_id=4)
    resp = client.patch(f"{URL}/{kpi['id']}", json={"category": "activity", "surface_id": None}, headers=auth())
    assert resp.status_code == 200, resp.text
    changed = resp.json()
    assert changed["category"] == "activity" and changed["surface_id"] is None
    assert changed["description"] == "Sessions" and changed["name"] == "Visits"
    assert changed["updated_at"] >= kpi["updated_at"]


def test_patch_rechecks_currency_against_stored_values(client):
    kpi = make_kpi(client, name="Revenue", unit="currency", currency_code="NOK")
    problem(client.patch(f"{URL}/{kpi['id']}", json={"unit": "number"}, headers=auth()), 422, "currency_code")
    problem(client.patch(f"{URL}/{kpi['id']}", json={"currency_code": None}, headers=auth()), 422, "currency_code")
    resp = client.patch(f"{URL}/{kpi['id']}", json={"unit": "number", "currency_code": None}, headers=auth())
    assert resp.status_code == 200 and resp.json()["currency_code"] is None
    plain = make_kpi(client, name="Visits")
    problem(client.patch(f"{URL}/{plain['id']}", json={"unit": "currency"}, headers=auth()), 422, "currency_code")


@pytest.mark.parametrize("field", ["name", "unit", "direction", "aggregation", "category"])
def test_patch_cannot_null_a_required_field(client, field):
    kpi = make_kpi(client)
    problem(client.patch(f"{URL}/{kpi['id']}", json={field: None}, headers=auth()), 422, field)


# --- archive, restore, filters -------------------------------------------------------------------


def test_archive_and_restore(client):
    kpi = make_kpi(client)
    archived = client.post(f"{URL}/{kpi['id']}/archive", headers=auth())
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert names(client.get(URL, headers=auth())) == []
    assert names(client.get(URL, params={"archived": True}, headers=auth())) == ["Visits"]
    assert names(client.get(URL, params={"archived": "all"}, headers=auth())) == ["Visits"]
    restored = client.post(f"{URL}/{kpi['id']}/restore", headers=auth())
    assert restored.status_code == 200 and restored.json()["archived"] is False
    assert names(client.get(URL, headers=auth())) == ["Visits"]


def test_filters(client):
    make_kpi(client, name="Visits", surface_id=1)
    make_kpi(client, name="Marketing cost", unit="currency", currency_code="NOK", category="input", surface_id=2)
    make_kpi(client, name="Campaigns run", category="activity", surface_id=1)
    make_kpi(client, name="100% satisfied", unit="percent")
    assert names(client.get(URL, params={"category": "input"}, headers=auth())) == ["Marketing cost"]
    assert names(client.get(URL, params={"surface_id": 1}, headers=auth())) == ["Campaigns run", "Visits"]
    assert names(client.get(URL, params={"q": "CAMP"}, headers=auth())) == ["Campaigns run"]
    assert names(client.get(URL, params={"q": "%"}, headers=auth())) == ["100% satisfied"]  # literal, not a wildcard
    problem(client.get(URL, params={"category": "output"}, headers=auth()), 422, "category")


# --- pagination and sort -------------------------------------------------------------------------


def test_pagination_and_sort(client):
    for name, category in [
        ("delta", "result"),
        ("Alpha", "input"),
        ("charlie", "activity"),
        ("Bravo", "result"),
        ("echo", "input"),
    ]:
        make_kpi(client, name=name, category=category)
    assert names(client.get(URL, headers=auth())) == ["Alpha", "Bravo", "charlie", "delta", "echo"]
    page = client.get(URL, params={"limit": 2, "offset": 2}, headers=auth()).json()
    assert page["count"] == 5 and page["limit"] == 2 and page["offset"] == 2
    assert [k["name"] for k in page["data"]] == ["charlie", "delta"]
    assert names(client.get(URL, params={"sort": "-name"}, headers=auth())) == [
        "echo",
        "delta",
        "charlie",
        "Bravo",
        "Alpha",
    ]
    by_category = names(client.get(URL, params={"sort": "category"}, headers=auth()))
    assert by_category == ["charlie", "Alpha", "echo", "delta", "Bravo"]  # then by id


@pytest.mark.parametrize(
    "params, field",
    [
        ({"sort": "owner_id"}, "sort"),
        ({"sort": "-secret"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"offset": -5}, "offset"),
    ],
)
def test_bad_paging_is_422_naming_the_parameter(client, params, field):
    problem(client.get(URL, params=params, headers=auth()), 422, field)


# --- roles, workspaces, identity -----------------------------------------------------------------


def test_kpis_keep_the_scoping_contract(client):
    mine = make_kpi(client)
    path = f"{URL}/{mine['id']}"
    target = {"period_start": "2026-01-01", "period_end": "2026-12-31", "target": 1}
    check_contract(
        client,
        path,
        creates=[("POST", URL, {"name": "NPS", "category": "result"}), ("POST", f"{URL}/library/revenue")],
        writes=[
            ("PATCH", path, {"name": "Mine now"}),
            ("POST", f"{path}/archive"),
            ("POST", f"{path}/restore"),
            ("PUT", f"{path}/targets", [target]),
        ],
        owner=auth(),
        viewer=auth(Role.viewer),
        foreign=auth(workspace_id=2),
        missing=f"{URL}/999999",
    )
    assert client.get(f"{path}/targets", headers=auth()).json() == []


def test_another_workspaces_kpis_are_not_listed_and_a_viewer_lists_them(client):
    make_kpi(client, workspace_id=2, name="Their visits")
    assert client.get(URL, headers=auth()).json()["count"] == 0
    make_kpi(client)
    assert names(client.get(URL, headers=auth(Role.viewer))) == ["Visits"]
    problem(client.get(URL), 401)


def test_expired_identity_is_401(client):
    body = problem(client.get(URL, headers=auth(now=time.time() - 3600)), 401)
    assert "expired" in body["detail"]


def test_identity_signed_with_another_key_is_401(client):
    problem(client.get(URL, headers=auth(key="not-the-gateway")), 401)


# --- derived KPIs ----------------------------------------------------------------------------------


def test_derived_kpi_by_names_is_stored_with_ids_and_shown_with_names(client):
    cost = make_kpi(client, name="Cost", category="input")
    conversions = make_kpi(client, name="Conversions")
    derived = make_kpi(
        client,
        name="Cost per conversion",
        category="result",
        direction="lower_is_better",
        formula=" [cost] / [Conversions] ",
    )
    assert derived["formula"] == f"[#{cost['id']}] / [#{conversions['id']}]"
    assert derived["formula_display"] == "[Cost] / [Conversions]"
    assert derived["inputs"] == [cost["id"], conversions["id"]]
    assert derived["derived"] is True and derived["source"] == "derived"
    assert cost["derived"] is False and cost["source"] == "api" and cost["formula"] is None and cost["inputs"] == []
    assert cost["last_observed"] is None and cost["stale"] is False
    renamed = client.patch(f"{URL}/{cost['id']}", json={"name": "Spend"}, headers=auth())
    assert renamed.status_code == 200
    again = client.get(f"{URL}/{derived['id']}", headers=auth()).json()
    assert again["formula"] == derived["formula"] and again["formula_display"] == "[Spend] / [Conversions]"
    by_id = make_kpi(client, name="Per hundred", formula=f"[#{cost['id']}] / [#{conversions['id']}] * 100")
    assert by_id["formula_display"] == "[Spend] / [Conversions] * 100"


@pytest.mark.parametrize(
    "text, message",
    [
        ("[Cost] / [Nothing]", "unknown KPI [Nothing] at position 10"),
        ("[Cost] / ", "syntax error at position 10: expected a number"),
        ("[#999999] + 1", "no KPI 999999 in this workspace"),
        ("2 * 3", "must use at least one KPI"),
        ("x" * 2001, "at most 2000"),
    ],
)
def test_bad_formulas_are_422_on_formula(client, text, message):
    make_kpi(client, name="Cost", category="input")
    body = problem(
        client.post(URL, json={"name": "Derived", "category": "result", "formula": text}, headers=auth()),
        422,
        "formula",
    )
    assert message in body["errors"][0]["detail"], body
    assert client.get(URL, headers=auth()).json()["count"] == 1


def test_formula_cannot_use_another_workspaces_kpi(client):
    theirs = make_kpi(client, workspace_id=2, name="Their cost")
    body = problem(
        client.post(URL, json={"name": "Mine", "category": "result", "formula": f"[#{theirs['id']}]"}, headers=auth()),
        422,
        "formula",
    )
    assert f"no KPI {theirs['id']} in this workspace" in body["detail"]
    problem(
        client.post(URL, json={"name": "Mine", "category": "result", "formula": "[Their cost]"}, headers=auth()),
        422,
        "formula",
    )


def test_self_reference_and_cycles_are_refused_naming_the_chain(client):
    a = make_kpi(client, name="A")
    b = make_kpi(client, name="B", formula="[A] * 2")
    c = make_kpi(client, name="C", formula="[B] + 1")
    body = problem(client.patch(f"{URL}/{a['id']}", json={"formula": "[A] + 1"}, headers=auth()), 422, "formula")
    assert "cannot use itself" in body["detail"]
    body = problem(client.patch(f"{URL}/{a['id']}", json={"formula": "[C] / 2"}, headers=auth()), 422, "formula")
    assert "A → C → B → A" in body["detail"]
    assert client.get(f"{URL}/{a['id']}", headers=auth()).json()["formula"] is None
    ok = client.patch(f"{URL}/{b['id']}", json={"formula": None}, headers=auth())
    assert ok.status_code == 200 and ok.json()["derived"] is False and ok.json()["source"] == "api"
    assert client.patch(f"{URL}/{a['id']}", json={"formula": "[C] / 2"}, headers=auth()).status_code == 200
    assert c["inputs"] == [b["id"]]


def test_source_follows_the_formula(client):
    make_kpi(client, name="Cost", category="input")
    manual = make_kpi(client, name="Typed", source="manual")
    assert manual["source"] == "manual"
    problem(
        client.post(URL, json={"name": "X", "category": "result", "source": "derived"}, headers=auth()), 422, "source"
    )
    problem(
        client.post(
            URL, json={"name": "X", "category": "result", "source": "manual", "formula": "[Cost]"}, headers=auth()
        ),
        422,
        "source",
    )
    problem(client.patch(f"{URL}/{manual['id']}", json={"source": None}, headers=auth()), 422, "source")
    made = client.patch(f"{URL}/{manual['id']}", json={"formula": "[Cost] * 2"}, headers=auth()).json()
    assert made["source"] == "derived" and made["derived"] is True
    empty = client.patch(f"{URL}/{manual['id']}", json={"formula": "  ", "source": "import"}, headers=auth()).json()
    assert (empty["source"], empty["formula"], empty["derived"]) == ("import", None, False)


def test_archiving_an_input_of_a_formula_is_409_naming_it(client):
    cost = make_kpi(client, name="Cost", category="input")
    derived = make_kpi(client, name="Cost per order", formula="[Cost] / 10")
    body = problem(client.post(f"{URL}/{cost['id']}/archive", headers=auth()), 409, "archived")
    assert "'Cost per order'" in body["detail"]
    assert client.post(f"{URL}/{derived['id']}/archive", headers=auth()).status_code == 200
    assert client.post(f"{URL}/{cost['id']}/archive", headers=auth()).status_code == 200
    body = problem(client.post(f"{URL}/{derived['id']}/restore", headers=auth()), 409, "formula")
    assert "'Cost'" in body["detail"]
    problem(
        client.post(URL, json={"name": "New", "category": "result", "formula": f"[#{cost['id']}]"}, headers=auth()),
        422,
        "formula",
    )
    assert client.post(f"{URL}/{cost['id']}/restore", headers=auth()).status_code == 200
    assert client.post(f"{URL}/{derived['id']}/restore", headers=auth()).status_code == 200


# --- staleness and owner filters -----------------------------------------------------------------


def test_stale_and_owner_filters(client, engine):
    from services.metrics.observations.models import Observation

    fresh = make_kpi(client, name="Fresh", expected_frequency="day", owner_id=5)
    old = make_kpi(client, name="Old", expected_frequency="month", owner_id=5)
    make_kpi(client, name="Never", expected_frequency="week", owner_id=6)
    make_kpi(client, name="Unplanned", owner_id=5)
    derived = make_kpi(client, name="Both", formula="[Fresh] + [Old]", expected_frequency="month", owner_id=5)
    today = date.today()
    with Session(engine) as s:
        s.add(Observation(kpi_id=fresh["id"], workspace_id=1, period="day", period_start=today, value=1.0))
        s.add(Observation(kpi_id=old["id"], workspace_id=1, period="month", period_start=date(2020, 1, 1), value=1.0))
        s.commit()
    assert names(client.get(URL, params={"stale": True}, headers=auth())) == ["Both", "Never", "Old"]
    assert names(client.get(URL, params={"stale": False}, headers=auth())) == ["Fresh", "Unplanned"]
    assert names(client.get(URL, params={"stale": True, "owner_id": 5}, headers=auth())) == ["Both", "Old"]
    assert names(client.get(URL, params={"owner_id": 6}, headers=auth())) == ["Never"]
    both = client.get(f"{URL}/{derived['id']}", headers=auth()).json()
    assert both["last_observed"] == "2020-01-01" and both["stale"] is True
    assert client.get(f"{URL}/{fresh['id']}", headers=auth()).json()["last_observed"] == today.isoformat()
    problem(client.get(URL, params={"owner_id": 0}, headers=auth()), 422, "owner_id")
