"""Factories for the goals service tests: an app with a stub InternalClient (there is no gateway here), an API
client for one workspace with factories for surfaces and goals. The fixtures built on them are in conftest.py."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from kit.errors import Unavailable
from kit.identity import IDENTITY_HEADER, verify_identity
from kit.roles import Role
from kit.service_app import create_service_app
from kit.testing import TEST_KEY, auth
from services.goals.routes import routers

KEY = TEST_KEY
GOALS = "/api/v1/goals"
SURFACES = "/api/v1/surfaces"


class StubInternal:
    """Stands in for kit.internal.InternalClient: answers GET metrics /api/v1/kpis?ids=… per workspace."""

    def __init__(self, kpis: dict[int, dict[int, dict[str, Any]]] | None = None):
        self.kpis = kpis or {}  # workspace id → KPI id → KPI body
        self.outsiders: set[int] = set()  # user ids the gateway says are no members of the workspace
        self.calls: list[dict[str, Any]] = []
        self.down = False

    def add(self, workspace_id: int, kpi_id: int, **body: Any) -> None:
        self.kpis.setdefault(workspace_id, {})[kpi_id] = {"id": kpi_id, "name": f"KPI {kpi_id}", **body}

    def get(self, request, service: str, path: str, params: Any = None) -> tuple[int, Any]:
        self.calls.append({"service": service, "path": path, "params": params})
        if self.down:
            raise Unavailable(f"The {service} service could not be asked.")
        if service == "gateway":  # a membership check (kit.references.MEMBER)
            user_id = int(path.removeprefix("/members/"))
            return (404, None) if user_id in self.outsiders else (200, {"user_id": user_id})
        assert (service, path) == ("metrics", "/api/v1/kpis")
        assert params["archived"] == "all" and params["limit"] == 500
        principal = verify_identity(KEY, request.headers[IDENTITY_HEADER])
        ids = [int(i) for i in params["ids"].split(",")]
        assert len(ids) <= 500
        mine = self.kpis.get(principal.workspace_id, {})
        data = [mine[i] for i in ids if i in mine]
        return 200, {"data": data, "count": len(data), "limit": 500, "offset": 0}

    def close(self) -> None:
        pass


def make_app(engine, internal: StubInternal | None):
    return create_service_app(
        name="goals",
        title="Effekt goals",
        description="test",
        engine=engine,
        redis_url="redis://127.0.0.1:6379/15",
        signing_key=KEY,
        routers=routers,
        internal=internal,
    )


class Api:
    """A TestClient speaking for one workspace, with factories for surfaces and goals."""

    def __init__(self, client: TestClient, workspace_id: int = 1, user_id: int = 1, role: Role = Role.editor):
        self.c, self.headers = client, auth(role, workspace_id, user_id=user_id)

    def get(self, path: str, **kw):
        return self.c.get(path, headers=self.headers, **kw)

    def post(self, path: str, json: Any = None):
        return self.c.post(path, json=json, headers=self.headers)

    def patch(self, path: str, json: Any):
        return self.c.patch(path, json=json, headers=self.headers)

    def delete(self, path: str):
        return self.c.delete(path, headers=self.headers)

    def surface(self, name: str = "Website", kind: str = "website") -> int:
        resp = self.post(SURFACES, {"name": name, "kind": kind, "period_start": "2026-01-01"})
        assert resp.status_code == 201, resp.text
        return resp.json()["id"]

    def goal(self, title: str, level: str, parent_id: int | None = None, **extra) -> dict:
        resp = self.post(GOALS, {"title": title, "level": level, "parent_id": parent_id, **extra})
        assert resp.status_code == 201, resp.text
        return resp.json()

    def chain(self, surface_id: int | None = None) -> tuple[dict, dict, dict]:
        """A strategic goal, a strategic means under it, a tactical means under that."""
        sid = surface_id or self.surface()
        goal = self.goal("Increase revenue", "strategic_goal")
        means = self.goal("Customer satisfaction", "strategic_means", goal["id"])
        tactic = self.goal("Answer within 4 h", "tactical_means", means["id"], surface_ids=[sid])
        return goal, means, tactic

    def count(self, archived: str = "all") -> int:
        return self.get(GOALS, params={"archived": archived}).json()["count"]
