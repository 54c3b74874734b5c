"""Strategy templates saved by a user (the built-ins are in data.py, not in the database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from kit.fields import OptionalText, utcnow
from services.goals.db import GoalsModel


class GoalTemplate(GoalsModel, table=True):
    """A saved strategy structure (titles, levels, weights, surface kinds, KPI names; no ids)."""

    __tablename__ = "goal_templates"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(index=True, description="The user who saved it; only they see it")
    workspace_id: int = Field(description="The workspace it was saved from")
    name: str = Field(max_length=200)
    description: OptionalText = Field(default=None, sa_type=sa.Text)
    nodes: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow)
