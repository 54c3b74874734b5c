"""Who a notification goes to: address, language and time zone, asked of the gateway (which owns people).

The worker has no caller to speak for, so it signs a short-lived viewer identity of the workspace (as one of the
recipients) and asks GET /internal/gateway/recipients; the gateway answers for members of that workspace only."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import httpx

from kit.principal import IDENTITY_HEADER, Principal, sign_identity
from kit.roles import Role
from kit.settings import common

log = logging.getLogger("effekt.tasks.notifications")


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    email: str
    name: str
    locale: str | None
    timezone: str


class Directory(Protocol):
    async def lookup(self, workspace_id: int, user_ids: Iterable[int]) -> dict[int, Recipient]: ...


class GatewayDirectory:
    """Recipients from the gateway's internal route; raises httpx.HTTPError when it cannot be asked."""

    def __init__(self, gateway_url: str | None = None, signing_key: str | None = None, timeout: float = 10.0):
        self.url = (gateway_url or common().gateway_url).rstrip("/") + "/internal/gateway/recipients"
        self.key = signing_key or common().resolved_signing_key()
        self.timeout = timeout

    async def lookup(self, workspace_id: int, user_ids: Iterable[int]) -> dict[int, Recipient]:
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        token = sign_identity(self.key, Principal(user_id=ids[0], workspace_id=workspace_id, role=Role.viewer))
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            response = await client.get(self.url, params={"user_id": ids}, headers={IDENTITY_HEADER: token})
        response.raise_for_status()
        body = response.json()
        zone = body.get("timezone") or "UTC"
        return {
            row["user_id"]: Recipient(row["user_id"], row["email"], row.get("name") or "", row.get("locale"), zone)
            for row in body.get("data", [])
        }
