"""Signing secrets at rest: AES-GCM (256-bit) under a key ring of their own, as connector credentials are.

The ring is EFFEKT_TASKS_WEBHOOK_KEYS: comma-separated base64url keys of 32 bytes, the first one current (put a
new key first and keep the old ones after it: every stored secret still opens). Without a setting, one key is
kept in the data dir (webhook.key, mode 0600). A sealed secret is `v1.<key id>.<nonce+ciphertext>`, with the
workspace id bound in, so a secret copied onto another workspace's endpoint does not open."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
NONCE_BYTES = 12


class SecretError(Exception):
    """A stored secret cannot be opened (the key that sealed it is not in the ring)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> str:
    return _b64(secrets.token_bytes(32))


class KeyRing:
    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self._keys: list[tuple[str, AESGCM]] = []
        for text in keys:
            raw = _unb64(text.strip())
            if len(raw) != 32:
                raise ValueError("each webhook key must be 32 bytes, base64url-encoded")
            self._keys.append((hashlib.sha256(raw).hexdigest()[:8], AESGCM(raw)))

    def seal(self, secret: str, *, workspace_id: int) -> str:
        key_id, aead = self._keys[0]
        nonce = os.urandom(NONCE_BYTES)
        return f"{VERSION}.{key_id}.{_b64(nonce + aead.encrypt(nonce, secret.encode(), _aad(workspace_id)))}"

    def open(self, sealed: str, *, workspace_id: int) -> str:
        try:
            version, key_id, body = sealed.split(".", 2)
            raw = _unb64(body)
        except ValueError:
            raise SecretError("the stored signing secret is not in a known format") from None
        aead = dict(self._keys).get(key_id)
        if version != VERSION or aead is None:
            raise SecretError("the signing secret was sealed with a key that is no longer configured")
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(workspace_id)).decode()
        except InvalidTag:
            raise SecretError("the stored signing secret does not open with the configured key") from None


def _aad(workspace_id: int) -> bytes:
    return f"effekt-webhook:{workspace_id}".encode()


def _key_file(data_dir: Path) -> str:
    path = data_dir / "webhook.key"
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = data_dir / f".webhook.key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(new_key())
        try:
            os.link(tmp, path)  # two processes starting at once agree on one key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


@lru_cache
def key_ring() -> KeyRing:
    """The configured ring (EFFEKT_TASKS_WEBHOOK_KEYS), else the data dir's own key."""
    from kit.settings import common
    from services.tasks.webhooks.config import settings

    configured = [k for k in (settings().webhook_keys or "").split(",") if k.strip()]
    return KeyRing(configured or [_key_file(common().data_dir)])
