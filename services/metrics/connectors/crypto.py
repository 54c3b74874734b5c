"""Credentials at rest: sealed with kit.sealing under the connectors' own key ring.

The ring is EFFEKT_METRICS_CONNECTOR_KEYS (newest first; without it a `connector.key` of mode 0600 in the data
dir); `rotate` re-encrypts what is under an old key. The workspace id is bound in, so a secret copied onto
another workspace's row does not open."""

from __future__ import annotations

import json
from functools import lru_cache

from kit import sealing
from kit.sealing import new_key

__all__ = ["CredentialsError", "KeyRing", "key_ring", "new_key"]


class CredentialsError(sealing.SealError):
    """Stored credentials cannot be opened (the key that sealed them is not in the ring)."""


class KeyRing(sealing.KeyRing):
    """A connector's secrets (a dict of names to values) as one sealed token."""

    def __init__(self, keys: list[str]):
        super().__init__(keys, purpose="connector", error=CredentialsError)

    def seal(self, secrets_: dict[str, str], *, workspace_id: int) -> str:
        return self.seal_bytes(json.dumps(secrets_).encode(), workspace_id=workspace_id)

    def open(self, token: str, *, workspace_id: int) -> dict[str, str]:
        return json.loads(self.open_bytes(token, workspace_id=workspace_id))


@lru_cache
def key_ring() -> KeyRing:
    """The configured ring (EFFEKT_METRICS_CONNECTOR_KEYS), else the data dir's own key."""
    from kit.settings import common
    from services.metrics.connectors.config import connector_settings

    configured = [k for k in (connector_settings().connector_keys or "").split(",") if k.strip()]
    return KeyRing(configured or [sealing.key_file(common().data_dir, "connector.key")])
