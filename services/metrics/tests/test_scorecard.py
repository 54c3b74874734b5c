"""The scorecard and the KPI figures over HTTP: columns, sparkline, and queries that do not grow with KPIs."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from kit.service_app import create_service_app
from kit.sqlcount import count_statements
from services.metrics.models import Kpi, KpiTarget, Observation
from services.metrics.routes import router
from services.metrics.routes_scorecard import router as scorecard_router
from services.metrics.tests.test_kpis import KEY, auth, engine, problem  # noqa: F401  (engine is a fixture)
from sqlmodel import Session

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
TODAY = date.today()


@pytest.fixture
def client(engine):  # noqa: F811
    app = create_service_app(name="metrics", title="Effekt metrics", description="test", engine=engine,
                             redis_url="redis://127.0.0.1:6379/15", signing_key=KEY,
                             routers=[router, scorecard_router])
    with TestClient(app) as c:
        yield c


def seed(engine, n: int, surface_id: int | None = None, prefix: str = "K") -> list[int]:  # noqa: F811
    """n KPIs, each with a target for this month and an observation in it and in the month before."""
    start = TODAY.replace(day=1)
    with Session(engine) as s:
        kpis = [Kpi(name=f"{prefix}{i:04}", category=("input", "activity", "result")[i % 3], workspace_id=1,
                    baseline_value=0.0, surface_id=surface_id) for i in range(n)]
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
            for kpi_id in [k.id for k in s.query(Kpi).all()]:
                s.delete(s.get(Kpi, kpi_id))
            s.query(KpiTarget).delete()
            s.query(Observation).delete()
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
    bad = [{"period_start": "2026-01-01", "period_end": "2026-12-31", "target": 1},
           {"period_start": "2026-03-01", "period_end": "2026-03-31", "target": 2}]
    problem(client.put(url, json=bad, headers=auth()), 422, "targets.1.period_start")
    ok = client.put(url, json=bad[:1], headers=auth())
    assert ok.status_code == 200, ok.text
    assert client.get(url, headers=auth()).json() == ok.json() == [
        {"period_start": "2026-01-01", "period_end": "2026-12-31", "target": 1.0, "band_low": None, "band_high": None}]
    problem(client.get("/api/v1/kpis/999999/targets", headers=auth()), 404)
    resp = client.patch(f"/api/v1/kpis/{kpi_id}", json={"amber_threshold": 0.5, "red_threshold": 0.8}, headers=auth())
    problem(resp, 422, "red_threshold")


def test_scorecard_dates_stay_in_the_calendar(client):
    for day in ("0001-01-01", "9999-12-31"):
        problem(client.get("/api/v1/scorecard", params={"date": day}, headers=auth()), 422)
    assert client.get("/api/v1/scorecard", params={"date": "1900-01-01", "period": "year"},
                      headers=auth()).status_code == 200
