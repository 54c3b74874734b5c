"""Connectors: a workspace's link to an outside system, the feeds that fill its KPIs, and the record of each run."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, SecretStr, field_validator
from pydantic import Field as PydanticField
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import STRICT, Id, Name, not_null, utcnow
from kit.query import Page
from services.metrics.db import MetricsModel
from services.metrics.observations.models import Period


class Kind(StrEnum):
    matomo = "matomo"
    plausible = "plausible"
    ga4 = "ga4"
    search_console = "search_console"
    mailchimp = "mailchimp"
    jira = "jira"
    zendesk = "zendesk"
    hubspot = "hubspot"
    json = "json"
    csv = "csv"


class State(StrEnum):
    ok = "ok"  # never ran, or its last scheduled run worked
    failing = "failing"  # two scheduled runs in a row failed
    paused = "paused"  # a person paused it: no scheduled runs


class RunStatus(StrEnum):
    running = "running"
    ok = "ok"
    failed = "failed"


class Trigger(StrEnum):
    schedule = "schedule"
    manual = "manual"


MAX_BACKFILL_DAYS = 3 * 366
WRITE_ONLY = {"writeOnly": True}
CREDENTIALS_HELP = (
    "Write-only: the kind's secrets (e.g. token); never returned - credentials_set names those stored. "
    "On update, the names sent replace those stored and an empty value removes one."
)


class ConnectorBase(MetricsModel):
    name: Name = Field(min_length=1, max_length=200)
    kind: Kind = Field(sa_type=enum_type(Kind))
    settings: dict[str, Any] = Field(
        default_factory=dict, sa_type=sa.JSON, description="The kind's settings: base URL, site or property id"
    )
    run_at: time = Field(default=time(6, 0), description="When the daily pull runs, in the workspace's time zone")
    owner_id: Id | None = Field(default=None, description="User told when it fails; the creator by default")


class Connector(ConnectorBase, table=True):
    __tablename__ = "connectors"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    timezone: str = Field(default="UTC", max_length=64)
    # AES-GCM ciphertext of the credentials JSON (see crypto.py); never leaves the service.
    credentials_encrypted: str | None = Field(default=None, sa_type=sa.Text)
    credentials_set: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    state: State = Field(default=State.ok, sa_type=enum_type(State))
    failures: int = Field(default=0, description="Scheduled runs failed in a row")
    next_run_at: datetime | None = Field(default=None, index=True)
    last_run_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ConnectorCreate(ConnectorBase):
    model_config = STRICT

    credentials: dict[str, SecretStr] = PydanticField(
        default_factory=dict, description=CREDENTIALS_HELP, json_schema_extra=WRITE_ONLY
    )


class ConnectorUpdate(MetricsModel):
    model_config = STRICT

    name: Name = Field(default=None, min_length=1, max_length=200)
    settings: dict[str, Any] = None
    run_at: time = None
    owner_id: Id | None = None
    paused: bool | None = Field(default=None, description="true pauses scheduled runs; false resumes them")
    credentials: dict[str, SecretStr] | None = PydanticField(
        default=None, description=CREDENTIALS_HELP, json_schema_extra=WRITE_ONLY
    )

    _required_stay_set = field_validator("name", "settings", "run_at", mode="before")(not_null)


class ConnectorPublic(ConnectorBase):
    id: int
    timezone: str
    credentials_set: list[str] = PydanticField(description="Names of the credentials stored (never their values)")
    state: State
    failures: int
    next_run_at: datetime | None
    last_run_at: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class ConnectorList(Page[ConnectorPublic]):
    pass


# --- feeds -----------------------------------------------------------------------------------------


class FeedBase(MetricsModel):
    metric: str = Field(min_length=1, max_length=64, description="One of the kind's metrics (see /connectors/kinds)")
    filter: str | None = Field(default=None, max_length=2000, description="e.g. a page path, a goal id, a JQL")
    kpi_id: Id
    period: Period = Field(default=Period.day, sa_type=enum_type(Period))
    backfill_days: int = Field(default=30, ge=0, le=MAX_BACKFILL_DAYS, description="Days pulled on the first run")


class Feed(FeedBase, table=True):
    __tablename__ = "connector_feeds"
    __table_args__ = (sa.UniqueConstraint("connector_id", "kpi_id", "period", name="uq_connector_feeds_kpi_period"),)

    id: int | None = Field(default=None, primary_key=True)
    connector_id: int = Field(foreign_key="connectors.id", ondelete="CASCADE", index=True)
    workspace_id: int = Field(index=True)
    backfilled: bool = Field(default=False, description="Its first (backfilling) pull has stored values")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class FeedCreate(FeedBase):
    model_config = STRICT


class FeedUpdate(MetricsModel):
    model_config = STRICT

    metric: str = Field(default=None, min_length=1, max_length=64)
    filter: str | None = Field(default=None, max_length=2000)
    kpi_id: Id = None
    period: Period = None
    backfill_days: int = Field(default=None, ge=0, le=MAX_BACKFILL_DAYS)

    _required_stay_set = field_validator("metric", "kpi_id", "period", "backfill_days", mode="before")(not_null)


class FeedPublic(FeedBase):
    id: int
    connector_id: int
    backfilled: bool
    created_at: datetime
    updated_at: datetime


class FeedList(Page[FeedPublic]):
    pass


# --- runs ------------------------------------------------------------------------------------------


class ConnectorRun(MetricsModel, table=True):
    __tablename__ = "connector_runs"
    # The run key (the schedule's slot, or a manual run's own id) makes each run happen once across workers.
    __table_args__ = (sa.UniqueConstraint("connector_id", "run_key", name="uq_connector_runs_key"),)

    id: int | None = Field(default=None, primary_key=True)
    connector_id: int = Field(foreign_key="connectors.id", ondelete="CASCADE", index=True)
    workspace_id: int = Field(index=True)
    run_key: str = Field(max_length=64)
    trigger: Trigger = Field(sa_type=enum_type(Trigger))
    status: RunStatus = Field(default=RunStatus.running, sa_type=enum_type(RunStatus))
    stored: int = 0
    error: str | None = Field(default=None, max_length=2000)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class RunPublic(BaseModel):
    id: int
    connector_id: int
    trigger: Trigger
    status: RunStatus
    stored: int = PydanticField(description="Values stored (new or replaced)")
    error: str | None = PydanticField(description="What went wrong, in words")
    started_at: datetime
    finished_at: datetime | None


class RunList(Page[RunPublic]):
    pass


# --- checks and previews ---------------------------------------------------------------------------


class Point(BaseModel):
    period_start: date
    value: float


class PreviewSeries(BaseModel):
    metric: str
    filter: str | None
    period: Period
    points: list[Point]


class Preview(BaseModel):
    ok: bool
    message: str = PydanticField(description="In words: what the vendor said")
    series: list[PreviewSeries] = PydanticField(default_factory=list)


class ProbeFeed(BaseModel):
    model_config = STRICT

    metric: str = PydanticField(min_length=1, max_length=64)
    filter: str | None = PydanticField(default=None, max_length=2000)
    period: Period = Period.day


class Probe(MetricsModel):
    """An unsaved connector (or a saved one's changes) to test or preview before saving."""

    model_config = STRICT

    kind: Kind | None = PydanticField(default=None, description="Needed for a new connector; a saved one has its own")
    settings: dict[str, Any] = PydanticField(default_factory=dict)
    credentials: dict[str, SecretStr] = PydanticField(default_factory=dict, json_schema_extra=WRITE_ONLY)
    feeds: list[ProbeFeed] = PydanticField(default_factory=list, max_length=50)
