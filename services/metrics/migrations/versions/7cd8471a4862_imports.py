"""File imports of observations: the import, its stored file, its bad lines

Revision ID: 7cd8471a4862
Revises: 5cfe922b050b
Create Date: 2026-11-23 23:17:43.897048
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7cd8471a4862"
down_revision: str | None = "5cfe922b050b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "observation_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("file_format", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "uploaded",
                "queued",
                "checking",
                "storing",
                "done",
                "failed_validation",
                "failed",
                name="importstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("preview", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("rows_checked", sa.Integer(), nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("bad_lines", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("replaced", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("observation_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_observation_imports_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "observation_import_files",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["observation_imports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("import_id"),
    )
    op.create_table(
        "observation_import_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("column", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["observation_imports.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("observation_import_problems", schema=None) as batch_op:
        batch_op.create_index("ix_observation_import_problems_import_line", ["import_id", "line"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("observation_import_problems", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_import_problems_import_line")

    op.drop_table("observation_import_problems")
    op.drop_table("observation_import_files")
    with op.batch_alter_table("observation_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observation_imports_workspace_id"))

    op.drop_table("observation_imports")
