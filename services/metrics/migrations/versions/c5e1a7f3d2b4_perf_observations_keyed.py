"""observations keyed by (kpi_id, period, period_start, source): no serial id, one index per row fewer

The natural key was already unique; as the primary key it replaces both the serial id's index and the unique
key's index. The API's id of an observation is now derived from the key (models.observation_id).

Revision ID: c5e1a7f3d2b4
Revises: 7da66b83ed7c
Create Date: 2026-12-01 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c5e1a7f3d2b4"
down_revision: str | None = "7da66b83ed7c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ["kpi_id", "period", "period_start", "source"]
COLUMNS = "kpi_id, period, period_start, value, source, note, workspace_id, created_at, updated_at"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():  # SQLite alters a table by copying it: batch mode does that, rows and all
        with op.batch_alter_table("observations", recreate="always") as batch_op:
            batch_op.drop_constraint("uq_observations_key", type_="unique")
            batch_op.drop_column("id")
            batch_op.create_primary_key("observations_pkey", KEY)
    else:  # in place: dropping the column drops its primary key and its sequence
        op.drop_constraint("uq_observations_key", "observations", type_="unique")
        op.drop_column("observations", "id")
        op.create_primary_key("observations_pkey", "observations", KEY)


def downgrade() -> None:
    if _sqlite():
        op.create_table(
            "observations_serial",
            sa.Column("kpi_id", sa.Integer(), nullable=False),
            sa.Column("period", sa.String(length=32), nullable=False),
            sa.Column("period_start", sa.Date(), nullable=False),
            sa.Column("value", sa.Float(), nullable=False),
            sa.Column("source", sa.String(length=32), nullable=False),
            sa.Column("note", sa.String(length=2000), nullable=True),
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("workspace_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint(*KEY, name="uq_observations_key"),
        )
        # Ids are given in key order (SQLite numbers an INTEGER PRIMARY KEY itself).
        op.execute(
            f"INSERT INTO observations_serial ({COLUMNS}) SELECT {COLUMNS} FROM observations "
            "ORDER BY kpi_id, period, period_start, source"
        )
        op.drop_table("observations")
        op.rename_table("observations_serial", "observations")
    else:  # a serial column numbers the existing rows as it is added
        op.drop_constraint("observations_pkey", "observations", type_="primary")
        op.execute("ALTER TABLE observations ADD COLUMN id SERIAL NOT NULL")
        op.create_primary_key("observations_pkey", "observations", ["id"])
        op.create_unique_constraint("uq_observations_key", "observations", KEY)
