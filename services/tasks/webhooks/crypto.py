"""Signing secrets at rest: sealed with kit.sealing under the webhooks' own key ring.

The ring is EFFEKT_TASKS_WEBHOOK_KEYS (newest first; without it a `webhook.key` of mode 0600 in the data dir).
The workspace id is bound in, so a secret copied onto another workspace's endpoint does not open."""

from __future__ import annotations

from functools import lru_cache

from kit import sealing
from kit.sealing import new_key

__all__ = ["KeyRing", "SecretError", "key_ring", "new_key"]


class SecretError(sealing.SealError):
    """A stored secret cannot be opened (the key that sealed it is not in the ring)."""


class KeyRing(sealing.KeyRing):
    """An endpoint's signing secret as one sealed token."""

    def __init__(self, keys: list[str]):
        super().__init__(keys, purpose="webhook", error=SecretError)

    def seal(self, secret: str, *, workspace_id: int) -> str:
        return self.seal_bytes(secret.encode(), workspace_id=workspace_id)

    def open(self, sealed: str, *, workspace_id: int) -> str:
        return self.open_bytes(sealed, workspace_id=workspace_id).decode()


@lru_cache
def key_ring() -> KeyRing:
    """The configured ring (EFFEKT_TASKS_WEBHOOK_KEYS), else the data dir's own key."""
    from kit.settings import common
    from services.tasks.webhooks.config import settings

    configured = [k for k in (settings().webhook_keys or "").split(",") if k.strip()]
    return KeyRing(configured or [sealing.key_file(common().data_dir, "webhook.key")])
