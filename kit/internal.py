"""How a service asks another one something: through the gateway's internal route, as the same caller."""

from __future__ import annotations

import logging
from typing import Any

import httpx
from fastapi import Request

from kit.errors import Unavailable
from kit.identity import IDENTITY_HEADER
from kit.observability import REQUEST_ID_HEADER, request_id_var
from kit.turns import waiting

log = logging.getLogger("effekt.internal")


class InternalClient:
    """A pooled client for GET {gateway}/internal/<service>/<path>, carrying the caller's signed identity."""

    def __init__(self, gateway_url: str, *, timeout: float = 5.0):
        self.http = httpx.Client(base_url=gateway_url.rstrip("/") + "/internal", timeout=timeout)

    def get(
        self, request: Request | None, service: str, path: str, params: Any = None, *, identity: str | None = None
    ) -> tuple[int, Any]:
        """Status and JSON body; Unavailable when the gateway or the service cannot answer. `identity` (a token
        signed by this service, for a caller that has none, e.g. a calendar feed's owner) replaces the caller's."""
        own = identity if identity is not None else request.headers.get(IDENTITY_HEADER, "") if request else ""
        headers = {IDENTITY_HEADER: own, REQUEST_ID_HEADER: request_id_var.get()}
        try:
            with waiting():  # the other service may need a turn of this process's (effekt up runs them all)
                response = self.http.get(f"/{service}{path}", params=params, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("internal call to %s%s failed: %s", service, path, exc)
            raise Unavailable(f"The {service} service could not be asked.") from None
        if response.status_code >= 500:
            raise Unavailable(f"The {service} service could not answer ({response.status_code}).")
        is_json = "json" in response.headers.get("content-type", "")
        return response.status_code, response.json() if response.content and is_json else None

    def close(self) -> None:
        self.http.close()
