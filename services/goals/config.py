"""Settings of the goals service (env prefix EFFEKT_GOALS_)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from kit.settings import sqlite_url


class GoalsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EFFEKT_GOALS_", extra="ignore")

    database_url: str | None = None

    def url(self) -> str:
        return self.database_url or sqlite_url("goals")


@lru_cache
def settings() -> GoalsSettings:
    return GoalsSettings()
