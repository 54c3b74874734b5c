"""Connectors (branch connectors): connectors with sealed credentials, their feeds, runs and events for owners

Revision ID: 7da66b83ed7c
Revises: b8e2c4d1a9f3
Create Date: 2026-12-01 10:18:34.330802
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7da66b83ed7c"
down_revision: str | None = "b8e2c4d1a9f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "connectors",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "matomo",
                "plausible",
                "ga4",
                "search_console",
                "mailchimp",
                "jira",
                "zendesk",
                "hubspot",
                "json",
                "csv",
                name="kind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("run_at", sa.Time(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("credentials_encrypted", sa.Text(), nullable=True),
        sa.Column("credentials_set", sa.JSON(), nullable=False),
        sa.Column(
            "state", sa.Enum("ok", "failing", "paused", name="state", native_enum=False, length=32), nullable=False
        ),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_run_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_run_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("connectors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connectors_next_run_at"), ["next_run_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_connectors_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "connector_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("event", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("delivered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("connector_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connector_events_connector_id"), ["connector_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_connector_events_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "connector_feeds",
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("filter", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("kpi_id", sa.Integer(), nullable=False),
        sa.Column(
            "period", sa.Enum("day", "week", "month", name="period", native_enum=False, length=32), nullable=False
        ),
        sa.Column("backfill_days", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("backfilled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connector_id", "kpi_id", "period", name="uq_connector_feeds_kpi_period"),
    )
    with op.batch_alter_table("connector_feeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connector_feeds_connector_id"), ["connector_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_connector_feeds_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "connector_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("run_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "trigger", sa.Enum("schedule", "manual", name="trigger", native_enum=False, length=32), nullable=False
        ),
        sa.Column(
            "status", sa.Enum("running", "ok", "failed", name="runstatus", native_enum=False, length=32), nullable=False
        ),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["connector_id"], ["connectors.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connector_id", "run_key", name="uq_connector_runs_key"),
    )
    with op.batch_alter_table("connector_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_connector_runs_connector_id"), ["connector_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_connector_runs_workspace_id"), ["workspace_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("connector_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connector_runs_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_connector_runs_connector_id"))

    op.drop_table("connector_runs")
    with op.batch_alter_table("connector_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connector_feeds_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_connector_feeds_connector_id"))

    op.drop_table("connector_feeds")
    with op.batch_alter_table("connector_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connector_events_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_connector_events_connector_id"))

    op.drop_table("connector_events")
    with op.batch_alter_table("connectors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connectors_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_connectors_next_run_at"))

    op.drop_table("connectors")
