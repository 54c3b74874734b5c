"""Credentials at rest: AES-GCM (256-bit) under a key ring of their own, apart from the identity signing key.

The ring is EFFEKT_METRICS_CONNECTOR_KEYS: comma-separated base64url keys of 32 bytes, the first one current.
Rotation: put the new key first and keep the old one after it; every stored secret still decrypts, and
`rotate` re-encrypts what is under an old key (then the old key can go). Without a setting, one key is kept in
the data dir (connector.key, mode 0600), as the signing key is. A token is `v1.<key id>.<nonce+ciphertext>`; the
workspace id is bound in as associated data, so a secret copied onto another workspace's row does not open."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
NONCE_BYTES = 12


class CredentialsError(Exception):
    """Stored credentials cannot be opened (the key that sealed them is not in the ring)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> str:
    """A fresh key for the ring (what `effekt` prints for an operator to set)."""
    return _b64(secrets.token_bytes(32))


class KeyRing:
    """The current key seals; any key of the ring opens."""

    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self._keys: list[tuple[str, AESGCM]] = []
        for text in keys:
            raw = _unb64(text.strip())
            if len(raw) != 32:
                raise ValueError("each connector key must be 32 bytes, base64url-encoded")
            self._keys.append((hashlib.sha256(raw).hexdigest()[:8], AESGCM(raw)))

    @property
    def current_id(self) -> str:
        return self._keys[0][0]

    def seal(self, secrets_: dict[str, str], *, workspace_id: int) -> str:
        """The secrets as one token under the current key."""
        key_id, aead = self._keys[0]
        nonce = os.urandom(NONCE_BYTES)
        sealed = aead.encrypt(nonce, json.dumps(secrets_).encode(), _aad(workspace_id))
        return f"{VERSION}.{key_id}.{_b64(nonce + sealed)}"

    def open(self, token: str, *, workspace_id: int) -> dict[str, str]:
        """The secrets of a token; CredentialsError (saying nothing of them) if no key of the ring opens it."""
        try:
            version, key_id, body = token.split(".", 2)
            raw = _unb64(body)
        except ValueError:
            raise CredentialsError("the stored credentials are not in a known format") from None
        aead = dict(self._keys).get(key_id)
        if version != VERSION or aead is None:
            raise CredentialsError("the stored credentials were sealed with a key that is no longer configured")
        try:
            return json.loads(aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(workspace_id)))
        except InvalidTag:
            raise CredentialsError("the stored credentials do not open with the configured key") from None

    def is_current(self, token: str) -> bool:
        """True when the token is sealed under the current key."""
        return token.split(".", 2)[1:2] == [self.current_id]


def _aad(workspace_id: int) -> bytes:
    return f"effekt-connector:{workspace_id}".encode()


def _key_file(data_dir: Path) -> str:
    path = data_dir / "connector.key"
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = data_dir / f".connector.key.{os.getpid()}"
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
    """The configured ring (EFFEKT_METRICS_CONNECTOR_KEYS), else the data dir's own key."""
    from kit.settings import common
    from services.metrics.connectors.config import connector_settings

    configured = [k for k in (connector_settings().connector_keys or "").split(",") if k.strip()]
    return KeyRing(configured or [_key_file(common().data_dir)])
