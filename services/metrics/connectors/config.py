"""Settings of connectors (env prefix EFFEKT_METRICS_): the credentials key ring, vendor base URLs, retry limits.

Every vendor's base URL is a setting so tests (and an on-premises proxy) can point a kind elsewhere; a URL may
name a connector setting in braces (Mailchimp's data centre, Zendesk's subdomain)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.metrics.connectors.http import Limits


class ConnectorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EFFEKT_METRICS_", extra="ignore")

    connector_keys: str | None = Field(
        default=None, description="Comma-separated base64url AES keys (32 bytes), current first, old ones after"
    )
    plausible_url: str = "https://plausible.io"
    ga4_url: str = "https://analyticsdata.googleapis.com"
    google_token_url: str = "https://oauth2.googleapis.com/token"
    search_console_url: str = "https://searchconsole.googleapis.com"
    mailchimp_url: str = "https://{dc}.api.mailchimp.com"
    zendesk_url: str = "https://{subdomain}.zendesk.com"
    hubspot_url: str = "https://api.hubapi.com"
    connector_attempts: int = Field(default=4, ge=1, le=10)
    connector_backoff: float = Field(default=0.5, ge=0, description="Seconds before the first retry; doubles")
    connector_timeout: float = Field(default=30.0, gt=0)
    connector_max_retry_after: float = Field(default=120.0, ge=0)

    def limits(self) -> Limits:
        return Limits(
            attempts=self.connector_attempts,
            backoff=self.connector_backoff,
            timeout=self.connector_timeout,
            max_retry_after=self.connector_max_retry_after,
        )


@lru_cache
def connector_settings() -> ConnectorSettings:
    return ConnectorSettings()
