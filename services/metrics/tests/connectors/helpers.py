"""Factories of the connector tests, through the HTTP API as a tool would use it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from kit.roles import Role
from kit.testing import Signed, auth, run_async
from services.metrics.connectors import runner
from services.metrics.connectors.models import Trigger
from services.metrics.observations.models import Observation

URL = "/api/v1/connectors"
SECRET = "s3cr3t-token-do-not-leak-0042"
ADMIN = Signed(Role.admin)  # signed afresh on every request


def make_kpi(client, name: str = "Visits", workspace_id: int = 1, **overrides) -> dict:
    data = {"name": name, "unit": "number", "direction": "higher_is_better", "aggregation": "sum", "category": "result"}
    resp = client.post("/api/v1/kpis", json={**data, **overrides}, headers=auth(workspace_id=workspace_id))
    assert resp.status_code == 201, resp.text
    return resp.json()


def make_connector(client, kind: str, settings: dict, credentials: dict | None = None, workspace_id: int = 1) -> dict:
    body = {"name": f"My {kind}", "kind": kind, "settings": settings, "credentials": credentials or {}}
    resp = client.post(URL, json=body, headers=auth(Role.admin, workspace_id=workspace_id))
    assert resp.status_code == 201, resp.text
    return resp.json()


def add_feed(client, connector_id: int, kpi_id: int, metric: str, workspace_id: int = 1, **extra) -> dict:
    body = {"metric": metric, "kpi_id": kpi_id, **extra}
    resp = client.post(f"{URL}/{connector_id}/feeds", json=body, headers=auth(workspace_id=workspace_id))
    assert resp.status_code == 201, resp.text
    return resp.json()


def pull(
    engine, connector_id: int, key: str = "manual:1", trigger: Trigger = Trigger.manual, now: datetime | None = None
):
    return run_async(runner.pull(engine, connector_id, run_key=key, trigger=trigger, now=now))


def values(engine, kpi_id: int | None = None) -> list[tuple]:
    with Session(engine) as session:
        query = select(Observation).order_by(Observation.kpi_id, Observation.period, Observation.period_start)
        rows = session.exec(query).all()
    return [
        (o.kpi_id, o.period.value, o.period_start.isoformat(), o.value, o.source.value)
        for o in rows
        if kpi_id is None or o.kpi_id == kpi_id
    ]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
