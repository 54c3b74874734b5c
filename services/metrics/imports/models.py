"""Imports of observations or feedback items from CSV and XLSX files: the record, its file, its bad lines, mapping."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlmodel import Field

from kit.db import enum_type
from kit.fields import STRICT, Id, utcnow
from kit.query import Page
from services.metrics.db import MetricsModel
from services.metrics.feedback.models import Channel
from services.metrics.observations.models import Period

MAX_FILE_BYTES = 100 * 1024 * 1024
PREVIEW_ROWS = 10


class ImportStatus(StrEnum):
    uploaded = "uploaded"  # waiting for its mapping to be confirmed
    queued = "queued"
    checking = "checking"  # every line is checked before anything is stored
    storing = "storing"
    done = "done"
    failed_validation = "failed_validation"  # bad lines, and the user did not ask to store the good ones
    failed = "failed"  # the file could not be read, or the database refused


class ImportTarget(StrEnum):
    """What a file holds: values of KPIs, or feedback items for the inbox."""

    observations = "observations"
    feedback_items = "feedback_items"


class ColumnRole(StrEnum):
    ignore = "ignore"
    kpi_name = "kpi_name"
    kpi_id = "kpi_id"
    period = "period"
    period_start = "period_start"
    value = "value"
    source = "source"
    note = "note"  # of a value; of a feedback item, its internal notes
    # feedback items
    received_at = "received_at"
    channel = "channel"
    kind = "kind"
    sentiment = "sentiment"
    category = "category"
    text = "text"
    customer_name = "customer_name"
    customer_contact = "customer_contact"
    link = "link"


OBSERVATION_ROLES = (
    ColumnRole.ignore,
    ColumnRole.kpi_name,
    ColumnRole.kpi_id,
    ColumnRole.period,
    ColumnRole.period_start,
    ColumnRole.value,
    ColumnRole.source,
    ColumnRole.note,
)
FEEDBACK_ROLES = (
    ColumnRole.ignore,
    ColumnRole.received_at,
    ColumnRole.channel,
    ColumnRole.kind,
    ColumnRole.sentiment,
    ColumnRole.category,
    ColumnRole.text,
    ColumnRole.customer_name,
    ColumnRole.customer_contact,
    ColumnRole.link,
    ColumnRole.note,
)
ROLES = {ImportTarget.observations: OBSERVATION_ROLES, ImportTarget.feedback_items: FEEDBACK_ROLES}


class ObservationImport(MetricsModel, table=True):
    __tablename__ = "observation_imports"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(index=True)
    user_id: int
    filename: str = Field(max_length=255)
    file_format: str = Field(max_length=8, description="csv or xlsx")
    size: int
    status: ImportStatus = Field(default=ImportStatus.uploaded, sa_type=enum_type(ImportStatus))
    target: ImportTarget = Field(default=ImportTarget.observations, sa_type=enum_type(ImportTarget))
    timezone: str = Field(default="UTC", max_length=64, description="The workspace's zone when the run started")
    columns: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    preview: list[list[str]] = Field(default_factory=list, sa_type=sa.JSON)
    mapping: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    # A run's number: a new run supersedes an older one still going, and names its arq job.
    attempt: int = 0
    rows_total: int | None = None
    rows_checked: int = 0
    rows_done: int = 0
    bad_lines: int = 0
    created: int = 0
    replaced: int = 0
    error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class ImportFile(MetricsModel, table=True):
    """The uploaded bytes, in the database so any worker can read them; apart so lists never load them."""

    __tablename__ = "observation_import_files"

    import_id: int = Field(foreign_key="observation_imports.id", ondelete="CASCADE", primary_key=True)
    data: bytes = Field(sa_type=sa.LargeBinary)


class ImportProblem(MetricsModel, table=True):
    __tablename__ = "observation_import_problems"
    __table_args__ = (sa.Index("ix_observation_import_problems_import_line", "import_id", "line"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="observation_imports.id", ondelete="CASCADE")
    line: int = Field(description="Line in the file as a spreadsheet shows it; the header is line 1")
    column: str | None = Field(default=None, max_length=255)
    reason: str = Field(max_length=500)


class ImportMapping(BaseModel):
    """What each column holds, by position, and what the file leaves out."""

    model_config = STRICT

    columns: list[ColumnRole] = PydanticField(description="One role per column of the file, in order")
    period: Period | None = PydanticField(default=None, description="The period of every line, if no column has it")
    kpi_id: Id | None = PydanticField(default=None, description="The KPI of every line, if no column names it")
    channel: Channel | None = PydanticField(
        default=None, description="Feedback items: the channel of every line, if no column has it"
    )
    store_good: bool = PydanticField(default=False, description="Store the good lines even if some are bad")


class ImportPublic(BaseModel):
    id: int
    filename: str
    file_format: str
    size: int
    status: ImportStatus
    target: ImportTarget
    interrupted: bool = PydanticField(description="A run stopped mid-way (worker gone); run it again")
    columns: list[str]
    preview: list[list[str]]
    mapping: ImportMapping | None
    suggested: ImportMapping = PydanticField(description="The mapping guessed from the header")
    rows_total: int | None
    rows_checked: int
    rows_done: int
    bad_lines: int
    created: int
    replaced: int
    error: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class ImportSummary(BaseModel):
    id: int
    filename: str
    status: ImportStatus
    target: ImportTarget
    interrupted: bool
    rows_total: int | None
    rows_done: int
    bad_lines: int
    created: int
    replaced: int
    created_at: datetime


class ImportList(Page[ImportSummary]):
    pass


class ImportProblemPublic(BaseModel):
    line: int
    column: str | None
    reason: str


class ImportProblemList(Page[ImportProblemPublic]):
    pass


class ImportRun(BaseModel):
    """Run an import, with a mapping or the one already set."""

    model_config = STRICT

    mapping: ImportMapping | None = PydanticField(default=None, description="Omitted: the one already set")
