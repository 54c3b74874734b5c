"""Settings of the tasks service (env prefix EFFEKT_TASKS_)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kit.settings import sqlite_url


class TasksSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EFFEKT_TASKS_", extra="ignore")

    database_url: str | None = None
    # Email of notifications (services/tasks/notifications): no host, no email (the inbox still works).
    smtp_host: str | None = Field(default=None, description="SMTP server; unset disables email")
    smtp_port: int = 587
    smtp_tls: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls (port 587), tls (implicit, port 465) or none (a local relay)"
    )
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Effekt <effekt@localhost>"
    smtp_timeout: float = 20.0
    public_url: str | None = Field(default=None, description="The UI's address for links in emails (else gateway_url)")
    notify_merge_minutes: float = Field(default=15.0, description="Events about one run within this become one email")
    notify_digest_hour: int = Field(default=8, ge=0, le=23, description="Local hour of the daily digest")
    notify_seconds: int = 60  # how often the notification cron runs (tests run it every few seconds)
    notify_claim_seconds: float = Field(
        default=600, gt=0, description="An email claimed this long ago and not sent (its worker died) is sent again"
    )
    reminder_sweep_seconds: int = 60  # how often the reminder sweep runs (tests run it every second)
    reminder_batch: int = 500  # due rows claimed per transaction

    def url(self) -> str:
        return self.database_url or sqlite_url("tasks")


@lru_cache
def settings() -> TasksSettings:
    return TasksSettings()
