"""observations without the foreign key to kpis and the workspace_id index

The service checks every KPI itself and KPIs are archived, never deleted; the key's trigger and the extra index
made bulk imports several times slower.

Revision ID: b8e2c4d1a9f3
Revises: 6465c62c5103
Create Date: 2026-11-24 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8e2c4d1a9f3"
down_revision: str | None = "6465c62c5103"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite's foreign key has no name: batch mode reflects it under this convention so it can be dropped.
SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
SQLITE_FK = "fk_observations_kpi_id_kpis"
PG_FK = "observations_kpi_id_fkey"  # PostgreSQL's name for the key 4a711f297906 made


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("observations", naming_convention=SQLITE_NAMES) as batch_op:
            batch_op.drop_constraint(SQLITE_FK, type_="foreignkey")
            batch_op.drop_index("ix_observations_workspace_id")
    else:
        op.drop_constraint(PG_FK, "observations", type_="foreignkey")
        op.drop_index("ix_observations_workspace_id", table_name="observations")


def downgrade() -> None:
    # Values of KPIs deleted meanwhile would break the key; the cascade it brings back would have removed them.
    op.execute(sa.text("DELETE FROM observations WHERE kpi_id NOT IN (SELECT id FROM kpis)"))
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("observations") as batch_op:
        batch_op.create_index("ix_observations_workspace_id", ["workspace_id"], unique=False)
        batch_op.create_foreign_key(SQLITE_FK if sqlite else PG_FK, "kpis", ["kpi_id"], ["id"], ondelete="CASCADE")
