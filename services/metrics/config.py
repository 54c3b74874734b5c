"""Settings of the metrics service (env prefix EFFEKT_METRICS_)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from kit.settings import sqlite_url


class MetricsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EFFEKT_METRICS_", extra="ignore")

    database_url: str | None = None

    def url(self) -> str:
        return self.database_url or sqlite_url("metrics")


@lru_cache
def settings() -> MetricsSettings:
    return MetricsSettings()
