"""The scorecard and the KPI figures over HTTP: columns, sparkline, and queries that do not grow with KPIs."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlmodel import Session, delete, select

from kit.sqlcount import count_statements
from kit.testing import auth, problem
from services.metrics.kpis.models import Kpi, KpiTarget
from services.metrics.observations.models import Observation

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
TODAY = date.today()


def seed(engine, n: int, surface_id: int | None = None, prefix: str = "K") -> list[int]:  # noqa: F811
    """n KPIs, each with a target for this month and an observation in it and in the month before.

    Means, not sums: a sum of a month still running is judged on pace (test_targets), a level as it is."""
    start = TODAY.replace(day=1)
    with Session(engine) as s:
        kpis = [
            Kpi(
                name=f"{prefix}{i:04}",
                category=("input", "activity", "result")[i % 3],
                workspace_id=1,
                aggregation="mean",
                baseline_value=0.0,
                surface_id=surface_id,
            )
            for i in range(n)
        ]
        s.add_all(kpis)
        s.flush()
        for kpi in kpis:
            s.add(KpiTarget(kpi_id=kpi.id, workspace_id=1, period_start=start, period_end=start, target=10.0))
            s.add(Observation(kpi_id=kpi.id, workspace_id=1, period="month", period_start=start, value=7.0))
            prev = date(start.year - (start.month == 1), (start.month - 2) % 12 + 1, 1)
            s.add(Observation(kpi_id=kpi.id, workspace_id=1, period="month", period_start=prev, value=5.0))
        s.commit()
        return [k.id for k in kpis]


def test_scorecard_columns_and_figures(client, engine):  # noqa: F811
    seed(engine, 3)
    body = client.get("/api/v1/scorecard", headers=auth()).json()
    assert body["period"]["start"] == TODAY.replace(day=1).isoformat()
    item = body["columns"]["input"][0]
    assert (item["value"], item["previous_value"], item["change"], item["target"]) == (7.0, 5.0, 2.0, 10.0)
    assert (item["attainment"], item["status"], item["status_label"]) == (0.7, "at_risk", "At risk")
    assert len(item["sparkline"]) == 12 and item["sparkline"][-2:] == [5.0, 7.0] and item["stale"] is False
    assert [len(body["columns"][c]) for c in ("input", "activity", "result")] == [1, 1, 1]
    assert item["source"] == "api"  # the frontend's default period weighs KPIs by where their values come from


def test_scorecard_surface_filter_keeps_workspace_wide(client, engine):  # noqa: F811
    seed(engine, 1, surface_id=5)
    seed(engine, 1, prefix="W")
    with Session(engine) as s:
        s.add(Kpi(name="Other surface", category="result", workspace_id=1, surface_id=6))
        s.commit()
    body = client.get("/api/v1/scorecard", params={"surface_id": 5}, headers=auth()).json()
    assert sum(len(v) for v in body["columns"].values()) == 2
    assert client.get("/api/v1/scorecard", params={"period": "week"}, headers=auth()).status_code == 422


def test_queries_do_not_grow_with_kpis(client, engine):  # noqa: F811
    counts = []
    for n in (5, 200):
        seed(engine, n)
        with count_statements(engine) as card:
            assert client.get("/api/v1/scorecard", params={"period": "quarter"}, headers=auth()).status_code == 200
        with count_statements(engine) as listing:
            resp = client.get("/api/v1/kpis", params={"limit": 500}, headers=auth())
        assert resp.status_code == 200
        counts.append((card.count, listing.count))
        with Session(engine) as s:
            for kpi_id in [k.id for k in s.exec(select(Kpi)).all()]:
                s.delete(s.get(Kpi, kpi_id))
            s.exec(delete(KpiTarget))
            s.exec(delete(Observation))
            s.commit()
    assert counts[0] == counts[1], counts
    print("query counts (scorecard, list):", counts)


def test_kpi_read_gives_goals_figures(client, engine):  # noqa: F811
    [kpi_id] = seed(engine, 1)
    body = client.get(f"/api/v1/kpis/{kpi_id}", headers=auth()).json()
    assert (body["actual"], body["target"], body["attainment"], body["status"]) == (7.0, 10.0, 0.7, "at_risk")
    listed = client.get("/api/v1/kpis", params={"ids": str(kpi_id)}, headers=auth()).json()["data"][0]
    assert listed["status"] == "at_risk"


def test_targets_api(client, engine):  # noqa: F811
    [kpi_id] = seed(engine, 1)
    url = f"/api/v1/kpis/{kpi_id}/targets"
    bad = [
        {"period_start": "2026-01-01", "period_end": "2026-12-31", "target": 1},
        {"period_start": "2026-03-01", "period_end": "2026-03-31", "target": 2},
    ]
    problem(client.put(url, json=bad, headers=auth()), 422, "targets.1.period_start")
    ok = client.put(url, json=bad[:1], headers=auth())
    assert ok.status_code == 200, ok.text
    assert (
        client.get(url, headers=auth()).json()
        == ok.json()
        == [
            {
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
                "target": 1.0,
                "band_low": None,
                "band_high": None,
            }
        ]
    )
    problem(client.get("/api/v1/kpis/999999/targets", headers=auth()), 404)
    resp = client.patch(f"/api/v1/kpis/{kpi_id}", json={"amber_threshold": 0.5, "red_threshold": 0.8}, headers=auth())
    problem(resp, 422, "red_threshold")


def test_scorecard_dates_stay_in_the_calendar(client):
    for day in ("0001-01-01", "9999-12-31"):
        problem(client.get("/api/v1/scorecard", params={"date": day}, headers=auth()), 422)
    assert (
        client.get("/api/v1/scorecard", params={"date": "1900-01-01", "period": "year"}, headers=auth()).status_code
        == 200
    )


# --- derived KPIs on the scorecard, and its CSV ------------------------------------------------------


def make(client, name: str, category: str, **extra) -> int:  # noqa: F811
    resp = client.post("/api/v1/kpis", json={"name": name, "category": category, **extra}, headers=auth())
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def push(engine, kpi_id: int, value: float, start=None):  # noqa: F811
    with Session(engine) as s:
        s.add(
            Observation(
                kpi_id=kpi_id, workspace_id=1, period="month", period_start=start or TODAY.replace(day=1), value=value
            )
        )
        s.commit()


def test_derived_kpis_sit_beside_their_inputs(client, engine):  # noqa: F811
    spend, hours = make(client, "Ad spend", "input"), make(client, "Hours", "input")
    make(client, "Zeta", "input")
    make(client, "Cost per hour", "input", formula="[Ad spend] / [Hours]")
    orders, visits = make(client, "Orders", "result"), make(client, "Visits", "result")
    make(client, "Conversion", "result", formula="[Orders] / [Visits] * 100")
    make(client, "Conversion x2", "result", formula="[Conversion] * 2")
    make(client, "Cost per order", "result", formula="[Ad spend] / [Orders]")
    make(client, "Aardvark", "result", formula="[Hours] * 1")
    for kpi_id, value in ((spend, 600.0), (hours, 30.0), (orders, 12.0), (visits, 400.0)):
        push(engine, kpi_id, value)
    body = client.get("/api/v1/scorecard", headers=auth()).json()
    column = {c: [i["name"] for i in body["columns"][c]] for c in ("input", "result")}
    assert column["input"] == ["Ad spend", "Hours", "Cost per hour", "Zeta"]
    assert column["result"] == ["Orders", "Cost per order", "Visits", "Conversion", "Conversion x2", "Aardvark"]
    items = {i["name"]: i for c in body["columns"].values() for i in c}
    assert items["Cost per hour"]["value"] == 20.0 and items["Conversion x2"]["value"] == 6.0
    assert items["Cost per order"]["value"] == 50.0 and items["Cost per order"]["inputs"] == [spend, orders]
    assert items["Conversion"]["derived"] is True and items["Orders"]["derived"] is False
    assert items["Conversion"]["formula_display"] == "[Orders] / [Visits] * 100"
    assert items["Orders"]["formula_display"] is None and items["Orders"]["inputs"] == []
    assert items["Zeta"]["category"] == "input" and items["Zeta"]["value"] is None


def test_scorecard_csv_export(client, engine):  # noqa: F811
    orders = make(
        client, '=HYPERLINK("http://x")', "result", baseline_value=0, expected_frequency="month", aggregation="mean"
    )  # a level: not judged on pace while the month runs
    spend = make(client, "Spend, total", "input", unit="currency", currency_code="NOK")
    make(client, "Per order", "input", formula=f"[Spend, total] / [#{orders}]")
    client.put(
        f"/api/v1/kpis/{orders}/targets",
        headers=auth(),
        json=[
            {
                "period_start": TODAY.replace(day=1).isoformat(),
                "period_end": TODAY.replace(day=1).isoformat(),
                "target": 10,
            }
        ],
    )
    push(engine, orders, 7.0)
    push(engine, spend, 70.0)
    resp = client.get("/api/v1/scorecard/export.csv", headers=auth())
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"] == (
        f'attachment; filename="scorecard-month-{TODAY.replace(day=1).isoformat()}.csv"'
    )
    rows = list(csv.reader(io.StringIO(resp.text)))
    assert rows[0] == [
        "category",
        "kpi",
        "unit",
        "value",
        "target",
        "attainment",
        "status",
        "previous",
        "change",
        "stale",
    ]
    assert rows[1:] == [
        ["input", "Spend, total", "NOK", "70.0", "", "", "not_measured", "", "", "false"],
        ["input", "Per order", "number", "10.0", "", "", "not_measured", "", "", "false"],
        ["result", '\'=HYPERLINK("http://x")', "number", "7.0", "10.0", "0.7", "at_risk", "", "", "false"],
    ]
    assert client.get("/api/v1/scorecard/export.csv", params={"period": "week"}, headers=auth()).status_code == 422
    problem(client.get("/api/v1/scorecard/export.csv"), 401)
    other = client.get("/api/v1/scorecard/export.csv", headers=auth(workspace_id=2))
    assert list(csv.reader(io.StringIO(other.text))) == [rows[0]]


def test_queries_do_not_grow_with_kpis_or_formulas(client, engine):  # noqa: F811
    counts = []
    for n in (5, 200):
        ids = seed(engine, n, prefix=f"N{n}-")
        with Session(engine) as s:
            for i in range(0, n - 1, 2):  # a derived KPI for every two measured ones, and one of derived ones
                s.add(
                    Kpi(name=f"D{n}-{i}", category="result", workspace_id=1, formula=f"[#{ids[i]}] / [#{ids[i + 1]}]")
                )
            s.flush()
            first = s.exec(select(Kpi).where(Kpi.name == f"D{n}-0")).one()
            s.add(Kpi(name=f"DD{n}", category="activity", workspace_id=1, formula=f"[#{first.id}] * 2"))
            s.commit()
        statements = []
        for url, params in (
            ("/api/v1/scorecard", {"period": "quarter"}),
            ("/api/v1/scorecard/export.csv", {}),
            ("/api/v1/kpis", {"limit": 500}),
            ("/api/v1/kpis", {"stale": True, "owner_id": 1}),
        ):
            with count_statements(engine) as log:
                assert client.get(url, params=params, headers=auth()).status_code == 200
            statements.append(log.count)
        counts.append(statements)
        body = client.get("/api/v1/scorecard", headers=auth()).json()
        derived = [i for c in body["columns"].values() for i in c if i["derived"]]
        assert len(derived) == n // 2 + 1 and all(i["value"] == 1.0 for i in derived if i["name"].startswith(f"D{n}-"))
        with Session(engine) as s:
            s.exec(delete(Observation))
            s.exec(delete(KpiTarget))
            s.exec(delete(Kpi))
            s.commit()
    assert counts[0] == counts[1], counts
    print("query counts (scorecard, csv, list, stale list):", counts)


def test_staleness_on_current_and_past_scorecards(client, engine):  # noqa: F811
    fresh = make(client, "Fresh", "result", expected_frequency="month")
    old = make(client, "Old", "result", expected_frequency="month")
    make(client, "Both", "result", expected_frequency="month", formula="[Fresh] + [Old]")
    make(client, "Never", "result", expected_frequency="week")
    make(client, "Unplanned", "result")
    push(engine, fresh, 1.0)
    push(engine, old, 1.0, start=date(TODAY.year - 2, 1, 1))
    expected = {"Fresh": False, "Old": True, "Both": True, "Never": True, "Unplanned": False}
    for params in ({}, {"date": f"{TODAY.year - 2}-03-15"}):  # from the aggregate; from all history
        with count_statements(engine) as log:
            body = client.get("/api/v1/scorecard", params=params, headers=auth()).json()
        stale = {i["name"]: i["stale"] for i in body["columns"]["result"]}
        assert stale == expected, (params, log.count)
