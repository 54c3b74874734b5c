"""Settings of the tasks service (env prefix EFFEKT_TASKS_)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from kit.settings import sqlite_url


class TasksSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EFFEKT_TASKS_", extra="ignore")

    database_url: str | None = None
    reminder_sweep_seconds: int = 60  # how often the reminder sweep runs (tests run it every second)
    reminder_batch: int = 500  # due rows claimed per transaction

    def url(self) -> str:
        return self.database_url or sqlite_url("tasks")


@lru_cache
def settings() -> TasksSettings:
    return TasksSettings()
