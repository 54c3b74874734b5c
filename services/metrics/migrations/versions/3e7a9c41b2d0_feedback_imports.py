"""imports say what a file holds (values or feedback items) and the workspace's zone of the run

Revision ID: 3e7a9c41b2d0
Revises: 9e4a2c6b8d10
Create Date: 2026-12-01 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3e7a9c41b2d0"
down_revision: str | None = "9e4a2c6b8d10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("observation_imports") as batch:
        batch.add_column(
            sa.Column(
                "target",
                sa.Enum("observations", "feedback_items", name="importtarget", native_enum=False, length=32),
                nullable=False,
                server_default="observations",
            )
        )
        batch.add_column(
            sa.Column("timezone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="UTC")
        )


def downgrade() -> None:
    with op.batch_alter_table("observation_imports") as batch:
        batch.drop_column("timezone")
        batch.drop_column("target")
