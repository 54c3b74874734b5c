"""events: an occurrence key (unique per recipient), a link and message params, for notifications

Revision ID: 3b9e1c7a5d20
Revises: 0fe554896088
Create Date: 2026-12-01 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b9e1c7a5d20"
down_revision: str | None = "0fe554896088"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("task_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("link", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.create_unique_constraint("uq_task_events_recipient_key", ["workspace_id", "recipient_id", "key"])


def downgrade() -> None:
    with op.batch_alter_table("task_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_task_events_recipient_key", type_="unique")
        batch_op.drop_column("params")
        batch_op.drop_column("link")
        batch_op.drop_column("key")
