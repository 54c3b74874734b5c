"""connector events go through the notification outbox: the connector_events table, written but never read, goes

Revision ID: 9e4a2c6b8d10
Revises: 7b18ea3b2d06
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9e4a2c6b8d10"
down_revision: str | None = "7b18ea3b2d06"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("connector_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connector_events_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_connector_events_connector_id"))
    op.drop_table("connector_events")


def downgrade() -> None:
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
