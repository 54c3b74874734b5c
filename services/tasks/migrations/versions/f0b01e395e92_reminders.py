"""reminders: a task's due, overdue and escalation notices as rows (fired once by a sweep), and settings

Revision ID: f0b01e395e92
Revises: 06128300a1c1
Create Date: 2026-12-01 13:53:58.778250
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "f0b01e395e92"
down_revision: str | None = "06128300a1c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("day_start", sa.Integer(), nullable=False),
        sa.Column("day_end", sa.Integer(), nullable=False),
        sa.Column("escalate_after_hours", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id"),
    )
    op.create_table(
        "task_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("due_48h", "due_24h", "overdue", "escalated", name="reminderkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("fire_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("zone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum("pending", "sent", "cancelled", name="reminderstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "kind", "version", "n", name="uq_task_reminders_key"),
    )
    with op.batch_alter_table("task_reminders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_task_reminders_due",
            ["fire_at"],
            unique=False,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.create_index(batch_op.f("ix_task_reminders_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_reminders_task_id"))
        batch_op.drop_index(
            "ix_task_reminders_due",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )

    op.drop_table("task_reminders")
    op.drop_table("reminder_settings")
