"""workspace country (ISO 3166-1 alpha-2), a workspace setting of the API

Revision ID: b16c0a7c0001
Revises: 6a843d4794f4
Create Date: 2026-12-01 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b16c0a7c0001"
down_revision: str | None = "6a843d4794f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_column("country")
