"""Secrets at rest: AES-GCM (256-bit) under a key ring kept apart from the identity signing key.

A ring is comma-separated base64url keys of 32 bytes, the first one current: put a new key first and keep the
old ones after it, and everything sealed before still opens (`is_current` tells what to re-seal). Without a
setting, one key is kept in the data dir (mode 0600), as the signing key is. A token is
`v1.<key id>.<nonce+ciphertext>`, with the purpose and the workspace id bound in as associated data, so a secret
copied onto another workspace's row, or into another kind of field, does not open."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"
NONCE_BYTES = 12


class SealError(Exception):
    """A sealed secret cannot be opened (the key that sealed it is not in the ring); says nothing of the secret."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> str:
    """A fresh key for a ring (what an operator sets)."""
    return _b64(secrets.token_bytes(32))


class KeyRing:
    """The current key seals; any key of the ring opens. `purpose` keeps one use's tokens out of another's."""

    def __init__(self, keys: list[str], *, purpose: str, error: type[Exception] = SealError):
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self.purpose, self.error = purpose, error
        self._keys: list[tuple[str, AESGCM]] = []
        for text in keys:
            raw = _unb64(text.strip())
            if len(raw) != 32:
                raise ValueError(f"each {purpose} key must be 32 bytes, base64url-encoded")
            self._keys.append((hashlib.sha256(raw).hexdigest()[:8], AESGCM(raw)))

    @property
    def current_id(self) -> str:
        return self._keys[0][0]

    def seal_bytes(self, data: bytes, *, workspace_id: int) -> str:
        key_id, aead = self._keys[0]
        nonce = os.urandom(NONCE_BYTES)
        return f"{VERSION}.{key_id}.{_b64(nonce + aead.encrypt(nonce, data, self._aad(workspace_id)))}"

    def open_bytes(self, token: str, *, workspace_id: int) -> bytes:
        try:
            version, key_id, body = token.split(".", 2)
            raw = _unb64(body)
        except ValueError:
            raise self.error(f"the stored {self.purpose} secret is not in a known format") from None
        aead = dict(self._keys).get(key_id)
        if version != VERSION or aead is None:
            raise self.error(f"the stored {self.purpose} secret was sealed with a key that is no longer configured")
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], self._aad(workspace_id))
        except InvalidTag:
            raise self.error(f"the stored {self.purpose} secret does not open with the configured key") from None

    def is_current(self, token: str) -> bool:
        """True when the token is sealed under the current key."""
        return token.split(".", 2)[1:2] == [self.current_id]

    def _aad(self, workspace_id: int) -> bytes:
        return f"effekt-{self.purpose}:{workspace_id}".encode()


def key_file(data_dir: Path, name: str, make: Callable[[], str] = new_key) -> str:
    """The key kept in `data_dir/name` (made once, mode 0600): two processes starting at once agree on one key."""
    path = data_dir / name
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = data_dir / f".{name}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
