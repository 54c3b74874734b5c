"""Settings every process shares: where data lives, Redis, the signing key."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

import platformdirs
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("effekt", appauthor=False))


class CommonSettings(BaseSettings):
    """Read from EFFEKT_* (and REDIS_URL) in the environment."""

    model_config = SettingsConfigDict(env_prefix="EFFEKT_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "EFFEKT_REDIS_URL"))
    signing_key: str | None = None
    gateway_url: str = Field(
        default="http://127.0.0.1:8000", description="How services reach the gateway's internal routes"
    )
    outbound_allow: str = Field(
        default="",
        description=(
            "Private address ranges a workspace's outbound URL (a connector's base URL, a webhook endpoint) may "
            "reach, comma-separated: 'loopback', 'private' (RFC 1918, unique-local), 'link-local', or CIDRs. "
            "Empty: only public addresses."
        ),
    )
    request_threads: int = Field(
        default=1,
        ge=1,
        le=256,
        description=(
            "Request threads per service that run at once (kit.turns); more wait their turn, and one waiting on "
            "another service or the database lends it"
        ),
    )
    log_level: str = "INFO"
    log_json: bool = True

    def resolved_signing_key(self) -> str:
        """The configured key, else one kept in the data dir (created once, mode 0600)."""
        if self.signing_key:
            return self.signing_key
        return _key_file(self.data_dir)


def _key_file(data_dir: Path) -> str:
    from kit.sealing import key_file

    return key_file(data_dir, "signing.key", make=lambda: secrets.token_urlsafe(48))


@lru_cache
def common() -> CommonSettings:
    return CommonSettings()


def sqlite_url(name: str, data_dir: Path | None = None) -> str:
    """The embedded default database of one service: a SQLite file under the data dir."""
    base = data_dir or common().data_dir
    base.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{base / (name + '.db')}"
