"""Settings of webhooks (env prefix EFFEKT_TASKS_): the retry schedule, when a failing endpoint is disabled,
the address links in messages start with."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# The Standard Webhooks schedule: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failure.
SPEC_SCHEDULE = "0,5,300,1800,7200,18000,36000,36000"


class WebhookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EFFEKT_TASKS_", extra="ignore")

    webhook_schedule: str = Field(
        default=SPEC_SCHEDULE,
        description="Seconds before each attempt of a delivery, comma-separated (the first is the first attempt)",
    )
    webhook_disable_after_days: float = Field(
        default=5, gt=0, description="An endpoint failing this long without a success is disabled"
    )
    webhook_keys: str | None = Field(
        default=None, description="Comma-separated base64url AES keys (32 bytes) sealing signing secrets, current first"
    )
    webhook_timeout: float = Field(default=15.0, gt=0, description="Seconds a receiver has to answer")
    webhook_keep_days: int = Field(default=30, ge=1, description="Finished deliveries are kept this long in the log")
    webhook_batch: int = Field(default=50, ge=1, le=1000, description="Deliveries a worker claims at once")
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="Where people open Effekt: the start of links in messages"
    )

    def schedule(self) -> list[float]:
        return [float(part) for part in self.webhook_schedule.split(",") if part.strip()]


@lru_cache
def settings() -> WebhookSettings:
    return WebhookSettings()
