"""What the template endpoints accept and answer: template trees, saving one, building one in a workspace."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from kit.fields import STRICT, Id, Name
from services.goals.goals.models import GoalLevel
from services.goals.surfaces.models import SurfaceKind


class TemplateNode(BaseModel):
    key: str = Field(description="Names the node in surface_bindings")
    title: str
    level: GoalLevel
    description: str | None = None
    weight: float = 1.0
    surface_kinds: list[SurfaceKind] = Field(
        default_factory=list, description="Tactical means: the kinds of surface it is bound to"
    )
    suggested_kpis: list[str] = Field(default_factory=list, description="KPI names to measure it by")
    children: list[TemplateNode] = Field(default_factory=list)


class TemplatePublic(BaseModel):
    key: str = Field(description="A slug for built-ins, the number of a saved one")
    name: str
    description: str | None
    builtin: bool
    owner_id: int | None = Field(description="The user who saved it; null for built-ins")
    created_at: datetime | None
    nodes: list[TemplateNode]


class TemplateList(BaseModel):
    data: list[TemplatePublic]
    count: int


class TemplateCreate(BaseModel):
    """Save the workspace's goal tree as a template of your own."""

    model_config = STRICT

    name: Name = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class TemplateUse(BaseModel):
    """How to instantiate a template: which surfaces each tactical means is tied to."""

    model_config = STRICT

    surface_bindings: dict[str, list[Id]] = Field(
        default_factory=dict,
        description="node key → surface ids for tactical means; a node left out is bound "
        "to every active surface of its kinds; an empty list skips it",
    )


class CreatedNode(BaseModel):
    node_key: str
    goal_id: int
    title: str
    level: GoalLevel
    surface_ids: list[int]
    suggested_kpis: list[str]


class SkippedNode(BaseModel):
    node_key: str
    title: str
    surface_kinds: list[SurfaceKind]
    reason: str


class TemplateResult(BaseModel):
    template_key: str
    created: list[CreatedNode]
    skipped: list[SkippedNode] = Field(description="Tactical means with no surface to bind, not created")
