"""Where KPI figures come from: the metrics service, asked through the gateway as the same caller."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from kit.errors import Unavailable

CHUNK = 500  # the metrics list serves at most 500 rows a page


class KpiSource(Protocol):
    def fetch(self, ids: Collection[int]) -> dict[int, dict[str, Any]]:
        """The KPIs among `ids` that the caller's workspace has; Unavailable if they cannot be asked for."""


class NoKpis:
    """For callers with no way to ask metrics (the demo seed): fine as long as no KPI is needed."""

    def fetch(self, ids: Collection[int]) -> dict[int, dict[str, Any]]:
        if ids:
            raise Unavailable("The metrics service cannot be asked from here.")
        return {}


class MetricsKpis:
    """KPIs from GET /api/v1/kpis?ids=…, one call per 500 ids, remembered for the rest of the request."""

    def __init__(self, client: Any, request: Any):
        self.client = client  # a kit.internal.InternalClient, or None when the app has none
        self.request = request
        self.known: dict[int, dict[str, Any]] = {}
        self.asked: set[int] = set()
        self.calls = 0

    def fetch(self, ids: Collection[int]) -> dict[int, dict[str, Any]]:
        missing = sorted(set(ids) - self.asked)
        for start in range(0, len(missing), CHUNK):
            self._ask(missing[start : start + CHUNK])
        return {i: self.known[i] for i in ids if i in self.known}

    def _ask(self, chunk: list[int]) -> None:
        if self.client is None:
            raise Unavailable("The metrics service cannot be asked: no internal client is configured.")
        params = {"ids": ",".join(map(str, chunk)), "archived": "all", "limit": CHUNK}
        self.calls += 1
        status, body = self.client.get(self.request, "metrics", "/api/v1/kpis", params=params)
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise Unavailable(f"The metrics service did not list the KPIs ({status}).")
        for kpi in body["data"]:
            if isinstance(kpi, dict) and isinstance(kpi.get("id"), int):
                self.known[kpi["id"]] = kpi
        self.asked.update(chunk)


def fetch_or_none(source: KpiSource, ids: Collection[int]) -> dict[int, dict[str, Any]] | None:
    """For reads: the KPIs, or None when metrics cannot answer (the caller then shows not_measured)."""
    if not ids:
        return {}
    try:
        return source.fetch(ids)
    except Unavailable:
        return None
