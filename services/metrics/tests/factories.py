"""Factories of the metrics tests: the service's app over a test engine, and KPIs with targets and values.

A plain module, not a test module: test modules import these, never each other."""

from __future__ import annotations

import asyncio
import concurrent.futures
from datetime import date

from fastapi import FastAPI
from sqlmodel import Session

from kit.service_app import create_service_app
from kit.testing import TEST_KEY, KnownReferences, auth
from services.metrics.kpis import service
from services.metrics.kpis.models import Kpi, KpiCreate, KpiTarget
from services.metrics.observations.models import Observation
from services.metrics.routes import ROUTERS

KEY = TEST_KEY
KPIS = "/api/v1/kpis"
Q3 = (date(2026, 7, 1), date(2026, 9, 30))


def service_app(engine, *, internal=None) -> FastAPI:
    """The metrics service with every router, over `engine`, trusting identities signed with KEY."""
    return create_service_app(
        name="metrics",
        title="Effekt metrics",
        description="test",
        engine=engine,
        redis_url="redis://127.0.0.1:6379/15",
        signing_key=KEY,
        routers=ROUTERS,
        internal=internal if internal is not None else KnownReferences(),
    )


def make_kpi(client, workspace_id: int = 1, **overrides) -> dict:
    """A KPI created over HTTP by an editor of the workspace."""
    data = {
        "name": "Visits",
        "unit": "number",
        "direction": "higher_is_better",
        "aggregation": "sum",
        "category": "result",
    }
    resp = client.post(KPIS, json={**data, **overrides}, headers=auth(workspace_id=workspace_id))
    assert resp.status_code == 201, resp.text
    return resp.json()


def new_kpi(session: Session, name: str = "Visits", **fields) -> Kpi:
    """A KPI of workspace 1 created through the service's rules."""
    data = KpiCreate(name=name, category=fields.pop("category", "result"), **fields)
    return service.create_kpi(session=session, workspace_id=1, data=data)


def observe(session: Session, kpi: Kpi, *pairs: tuple[date, float], period: str = "day") -> None:
    """Observations of `kpi`, one per (period_start, value)."""
    for day, value in pairs:
        session.add(Observation(kpi_id=kpi.id, workspace_id=1, period=period, period_start=day, value=value))
    session.flush()


def add_kpi(
    s: Session,
    name: str,
    *,
    surface_id: int | None = 7,
    category: str = "result",
    workspace_id: int = 1,
    target: float | None = 100.0,
    values: dict[date, float] | None = None,
    archived: bool = False,
) -> Kpi:
    """A KPI stored straight in the database, with a Q3 target and monthly values."""
    kpi = Kpi(
        name=name,
        category=category,
        workspace_id=workspace_id,
        surface_id=surface_id,
        archived=archived,
        baseline_value=0.0,
    )
    s.add(kpi)
    s.flush()
    if target is not None:
        s.add(KpiTarget(kpi_id=kpi.id, workspace_id=workspace_id, period_start=Q3[0], period_end=Q3[1], target=target))
    for day, value in (values or {}).items():
        s.add(Observation(kpi_id=kpi.id, workspace_id=workspace_id, period="month", period_start=day, value=value))
    s.flush()
    return kpi


def run_async(coro):
    """asyncio.run in a thread of its own: the session's Playwright may hold this thread's event loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


# What the demo tests seed with: a day, the demo's people (email → user id) and surfaces (name → id).
DEMO_TODAY = date(2026, 11, 24)
DEMO_PEOPLE = {"ingrid.solberg@example.com": 11, "mikko.virtanen@example.com": 12, "sara.lindqvist@example.com": 13}
DEMO_SURFACES = {"nordvikoutdoor.no": 1, "Nettbutikk": 2, "Turbrevet newsletter": 5, "Facebook": 6}


def import_attempt(engine, import_id: int) -> int:
    """The attempt an import is at (what a run job is queued with)."""
    from services.metrics.imports.models import ObservationImport

    with Session(engine) as session:
        return session.get(ObservationImport, import_id).attempt
