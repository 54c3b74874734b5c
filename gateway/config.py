"""Settings of the gateway (env prefix EFFEKT_GATEWAY_)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kit.roles import Role
from kit.settings import sqlite_url

SERVICES = ("goals", "tasks", "metrics")


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EFFEKT_GATEWAY_", extra="ignore")

    database_url: str | None = None
    goals_url: str = "http://127.0.0.1:8001"
    tasks_url: str = "http://127.0.0.1:8002"
    metrics_url: str = "http://127.0.0.1:8003"
    upstream_timeout: float = 30.0
    upstream_connect_timeout: float = 2.0
    # Requests in flight to one service at once; the rest wait in the gateway in the order they came (service-to-
    # service reads never wait: they are part of a request already let through). Raise it for a service run as
    # several replicas.
    upstream_concurrency: int = Field(default=4, ge=1, le=1024)
    session_days: int = 14
    token_cache_seconds: float = 5.0
    # Failed sign-ins in a window: one account from one address, one account from anywhere, one address.
    signin_pair_limit: int = 5
    signin_account_limit: int = 50
    signin_address_limit: int = 30
    signin_window_seconds: int = 900
    api_rate_limit: int = 600  # requests per token per window; 0 turns the limit off
    api_rate_window_seconds: int = 60
    # Addresses (or networks, comma-separated: "10.0.0.0/8, 192.168.1.5") of the proxies in front of the
    # gateway. Only a request from one of them has its X-Forwarded-For and X-Forwarded-Proto believed.
    trusted_proxies: str = ""
    # The largest request body relayed to a service (an import's 100 MB file and its form): refused as it streams.
    max_body_bytes: int = 101 * 1024 * 1024
    # Single sign-on (OpenID Connect); off while oidc_issuer is unset.
    oidc_issuer: str | None = None
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_name: str = "single sign-on"  # the button says "Sign in with <name>"
    oidc_scopes: str = "openid email profile"
    oidc_allowed_domains: str = ""  # comma-separated email domains; empty lets every verified email in
    oidc_join_workspace: str | None = None  # slug of the workspace new SSO users join
    oidc_join_role: Role = Role.viewer
    password_signin: bool = True  # False: only single sign-on

    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    def oidc_domains(self) -> frozenset[str]:
        return frozenset(d.strip().lower().lstrip("@") for d in self.oidc_allowed_domains.split(",") if d.strip())

    def url(self) -> str:
        return self.database_url or sqlite_url("gateway")

    def upstream_urls(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url").rstrip("/") for name in SERVICES}


@lru_cache
def settings() -> GatewaySettings:
    return GatewaySettings()
