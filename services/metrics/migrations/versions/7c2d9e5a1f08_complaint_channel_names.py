"""built-in channel complaint KPIs read as a sentence

Workspaces made the channel KPIs as "Complaints via <channel>" ("Complaints via in person"); rename those that
still carry the generated name and whose new name is free in the workspace. Data only: no table changes.

Revision ID: 7c2d9e5a1f08
Revises: 53eefa2a43a5
Create Date: 2026-12-01 15:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c2d9e5a1f08"
down_revision: str | None = "53eefa2a43a5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# channel: (old name, new name); the channels whose phrase did not change ("via Facebook") are left out.
RENAMES = {
    "email": ("Complaints via email", "Complaints by email"),
    "web_form": ("Complaints via web form", "Complaints via the web form"),
    "review_site": ("Complaints via review sites", "Complaints on review sites"),
    "phone": ("Complaints via phone", "Complaints by phone"),
    "chat": ("Complaints via chat", "Complaints in chat"),
    "in_person": ("Complaints via in person", "Complaints in person"),
}

RENAME = sa.text(
    "UPDATE kpis SET name = :new WHERE name = :old AND id IN ("
    " SELECT kpi_id FROM feedback_kpis WHERE CAST(channel AS VARCHAR(20)) = :channel AND category_id IS NULL)"
    " AND NOT EXISTS (SELECT 1 FROM kpis AS other"
    " WHERE other.workspace_id = kpis.workspace_id AND other.name = :new AND NOT other.archived)"
)


def upgrade() -> None:
    for channel, (old, new) in RENAMES.items():
        op.execute(RENAME.bindparams(channel=channel, old=old, new=new))


def downgrade() -> None:
    for channel, (old, new) in RENAMES.items():
        op.execute(RENAME.bindparams(channel=channel, old=new, new=old))
