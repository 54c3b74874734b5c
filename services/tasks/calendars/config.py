"""Settings of calendar feeds (env prefix EFFEKT_TASKS_): where feed URLs and links back start."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CalendarSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EFFEKT_TASKS_", extra="ignore")

    public_url: str = Field(
        default="http://127.0.0.1:8000", description="Where people open Effekt: the start of feed URLs and links"
    )
    calendar_past_days: int = Field(default=180, ge=0, description="Deadlines this many days back stay in a feed")


@lru_cache
def settings() -> CalendarSettings:
    return CalendarSettings()
