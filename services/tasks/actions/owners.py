"""The records other services own that an action points at (goal, KPI, surface, finding, feedback items), asked
as the caller through the gateway's internal route; and the effect evidence the metrics service computes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from kit.errors import Unavailable

EFFECT_CHUNK = 100  # probes per internal call: the query string stays far below the servers' line limits


class Owners(Protocol):
    def kpi(self, kpi_id: int) -> dict[str, Any] | None:
        """The KPI if the caller's workspace has it, else None; Unavailable when metrics cannot answer."""

    def goal(self, goal_id: int) -> dict[str, Any] | None: ...

    def surface(self, surface_id: int) -> dict[str, Any] | None: ...

    def finding(self, finding_id: int) -> dict[str, Any] | None: ...

    def feedback_items(self, item_ids: Sequence[int]) -> set[int]:
        """Which of the ids are feedback items of the caller's workspace."""

    def effects(self, probes: Sequence[str]) -> list[dict[str, Any]]:
        """metrics' evidence for each probe "ref:kpi:done_on:periods:direction" (see services/metrics/effects)."""


class GatewayOwners:
    """Owners asked over kit.internal: GET /internal/<service>/api/v1/…, as the same caller."""

    def __init__(self, client: Any, request: Any):
        self.client = client
        self.request = request

    def _get(self, service: str, path: str, params: Any = None) -> dict[str, Any] | None:
        if self.client is None:
            raise Unavailable(f"The {service} service cannot be asked: no internal client is configured.")
        status, body = self.client.get(self.request, service, path, params=params)
        if status == 404:
            return None
        if status != 200 or not isinstance(body, dict):
            raise Unavailable(f"The {service} service did not answer {path} ({status}).")
        return body

    def kpi(self, kpi_id: int) -> dict[str, Any] | None:
        return self._get("metrics", f"/api/v1/kpis/{kpi_id}")

    def goal(self, goal_id: int) -> dict[str, Any] | None:
        return self._get("goals", f"/api/v1/goals/{goal_id}")

    def surface(self, surface_id: int) -> dict[str, Any] | None:
        return self._get("goals", f"/api/v1/surfaces/{surface_id}")

    def finding(self, finding_id: int) -> dict[str, Any] | None:
        body = self._get("metrics", "/api/v1/cycles/findings", {"ids": finding_id, "limit": 1})
        rows = body.get("data") if body else None
        return next((r for r in rows or [] if isinstance(r, dict) and r.get("id") == finding_id), None)

    def feedback_items(self, item_ids: Sequence[int]) -> set[int]:
        ids = ",".join(str(i) for i in item_ids)
        body = self._get("metrics", "/api/v1/feedback", {"ids": ids, "limit": len(item_ids)})
        rows = body.get("data") if body else None
        return {r["id"] for r in rows or [] if isinstance(r, dict) and isinstance(r.get("id"), int)}

    def effects(self, probes: Sequence[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for start in range(0, len(probes), EFFECT_CHUNK):
            body = self._get("metrics", "/api/v1/effects", {"probe": list(probes[start : start + EFFECT_CHUNK])})
            if body is None or not isinstance(body.get("data"), list):
                raise Unavailable("The metrics service did not compute the effects.")
            out.extend(body["data"])
        return out
