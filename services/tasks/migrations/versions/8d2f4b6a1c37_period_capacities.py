"""period capacities: optional hours per person in a planning period

Revision ID: 8d2f4b6a1c37
Revises: 3b9e1c7a5d20
Create Date: 2026-12-01 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d2f4b6a1c37"
down_revision: str | None = "3b9e1c7a5d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "period_capacities",
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("period_id", "owner_id"),
    )
    with op.batch_alter_table("period_capacities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_period_capacities_workspace_id"), ["workspace_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("period_capacities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_period_capacities_workspace_id"))
    op.drop_table("period_capacities")
