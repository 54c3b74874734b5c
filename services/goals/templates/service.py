"""Strategy templates: the built-ins and the ones a user saved; instantiating one builds a tree.

A template stores structure only (titles, levels, weights, descriptions, the surface kinds of each
tactical means, suggested KPI names), never ids, so it fits any workspace. A saved template belongs to
the user who saved it: they see it in every workspace they work in; nobody else sees it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlmodel import Session, col, select

from kit.errors import Invalid, NotFound, field_error
from services.goals.goals import service as goal_service
from services.goals.goals.metrics_client import KpiSource, NoKpis
from services.goals.goals.models import Goal, GoalCreate, GoalLevel
from services.goals.goals.tree import Forest
from services.goals.surfaces.models import Surface, SurfaceKind
from services.goals.templates.data import BUILTINS
from services.goals.templates.models import GoalTemplate
from services.goals.templates.schemas import (
    CreatedNode,
    SkippedNode,
    TemplateCreate,
    TemplateNode,
    TemplatePublic,
    TemplateResult,
)


def _public(row: GoalTemplate) -> TemplatePublic:
    return TemplatePublic(
        key=str(row.id),
        name=row.name,
        description=row.description,
        builtin=False,
        owner_id=row.owner_id,
        created_at=row.created_at,
        nodes=[TemplateNode.model_validate(n) for n in row.nodes],
    )


def list_templates(*, session: Session, user_id: int) -> list[TemplatePublic]:
    """The built-in templates, then the ones this user saved, newest first."""
    rows = session.exec(
        select(GoalTemplate)
        .where(GoalTemplate.owner_id == user_id)
        .order_by(col(GoalTemplate.created_at).desc(), col(GoalTemplate.id).desc())
    ).all()
    return [*BUILTINS.values(), *(_public(r) for r in rows)]


def get_template(*, session: Session, user_id: int, key: str) -> TemplatePublic:
    """A built-in by its slug or a saved template of this user by its number; anything else is NotFound."""
    if key in BUILTINS:
        return BUILTINS[key]
    # isascii: "³".isdigit() is true, yet int("³") fails
    row = session.get(GoalTemplate, int(key)) if key.isascii() and key.isdigit() and len(key) < 10 else None
    if row is None or row.owner_id != user_id:
        raise NotFound(f"No template {key!r}.")
    return _public(row)


def _surface_kinds(session: Session, workspace_id: int) -> dict[int, SurfaceKind]:
    rows = session.exec(select(Surface.id, Surface.kind).where(Surface.workspace_id == workspace_id)).all()
    return {sid: SurfaceKind(kind) for sid, kind in rows}


def _template_nodes(
    forest: Forest, parent: Goal | None, prefix: str, kinds: dict[int, SurfaceKind], names: dict[int, str]
) -> list[TemplateNode]:
    out = []
    active = [g for g in forest.kids(parent.id if parent else None) if not g.archived]
    for number, goal in enumerate(active, start=1):
        key = f"{prefix}{number}"
        node_kinds = sorted({kinds[s] for s in forest.surfaces.get(goal.id, []) if s in kinds})
        suggested = [names[k.kpi_id] for k in forest.kpis.get(goal.id, []) if k.kpi_id in names]
        out.append(
            TemplateNode(
                key=key,
                title=goal.title,
                level=goal.level,
                description=goal.description,
                weight=goal.weight,
                surface_kinds=node_kinds,
                suggested_kpis=suggested,
                children=_template_nodes(forest, goal, key + ".", kinds, names),
            )
        )
    return out


def save_template(
    *, session: Session, workspace_id: int, user_id: int, data: TemplateCreate, metrics: KpiSource
) -> TemplatePublic:
    """Save the workspace's active tree as a template of this user (KPI names need metrics: else 503)."""
    forest = Forest.load(session, workspace_id)
    roots = [g for g in forest.kids(None) if not g.archived]
    if not roots:
        raise Invalid("The workspace has no active goals to save as a template.")
    kpis = metrics.fetch(forest.kpi_ids(roots))
    names = {kpi_id: str(body.get("name")) for kpi_id, body in kpis.items() if body.get("name")}
    nodes = _template_nodes(forest, None, "", _surface_kinds(session, workspace_id), names)
    row = GoalTemplate(
        owner_id=user_id,
        workspace_id=workspace_id,
        name=data.name,
        description=data.description,
        nodes=[n.model_dump(mode="json") for n in nodes],
    )
    session.add(row)
    session.flush()
    return _public(row)


def _walk(nodes: list[TemplateNode]) -> Iterator[TemplateNode]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _check_bindings(nodes: dict[str, TemplateNode], bindings: dict[str, list[int]], active: set[int]) -> None:
    errors = []
    for key, surface_ids in bindings.items():
        field = f"surface_bindings.{key}"
        node = nodes.get(key)
        if node is None:
            errors.append(field_error(field, f"no node {key!r} in this template"))
        elif node.level != GoalLevel.tactical_means:
            errors.append(field_error(field, "only a tactical means is bound to surfaces"))
        elif missing := [s for s in surface_ids if s not in active]:
            errors.append(field_error(field, f"no active surface {', '.join(map(str, missing))} in this workspace"))
    if errors:
        raise Invalid("; ".join(f"{e['field']}: {e['detail']}" for e in errors), errors=errors)


class _Builder:
    """Creates the goals of a template, depth first, and notes what it had to skip."""

    def __init__(
        self,
        session: Session,
        workspace_id: int,
        user_id: int,
        bindings: dict[str, list[int]],
        by_kind: dict[SurfaceKind, list[int]],
        key: str,
    ):
        self.session, self.workspace_id, self.user_id = session, workspace_id, user_id
        self.bindings, self.by_kind = bindings, by_kind
        self.result = TemplateResult(template_key=key, created=[], skipped=[])

    def surfaces_for(self, node: TemplateNode) -> list[int]:
        if node.key in self.bindings:
            return list(dict.fromkeys(self.bindings[node.key]))
        return sorted({s for kind in node.surface_kinds for s in self.by_kind.get(kind, [])})

    def build(self, node: TemplateNode, parent_id: int | None) -> None:
        surface_ids: list[int] = []
        if node.level == GoalLevel.tactical_means:
            surface_ids = self.surfaces_for(node)
            if not surface_ids:
                reason = "bound to no surface" if node.key in self.bindings else "no active surface of its kind"
                self.result.skipped.append(
                    SkippedNode(node_key=node.key, title=node.title, surface_kinds=node.surface_kinds, reason=reason)
                )
                return
        goal = goal_service.create_goal(
            session=self.session,
            workspace_id=self.workspace_id,
            user_id=self.user_id,
            metrics=NoKpis(),
            data=GoalCreate(
                title=node.title,
                description=node.description,
                weight=node.weight,
                level=node.level,
                parent_id=parent_id,
                surface_ids=surface_ids,
            ),
        )
        self.result.created.append(
            CreatedNode(
                node_key=node.key,
                goal_id=goal.id,
                title=goal.title,
                level=goal.level,
                surface_ids=surface_ids,
                suggested_kpis=node.suggested_kpis,
            )
        )
        if node.level != GoalLevel.tactical_means:
            for child in node.children:
                self.build(child, goal.id)


def instantiate_template(
    *, session: Session, workspace_id: int, user_id: int, key: str, bindings: dict[str, list[int]]
) -> TemplateResult:
    """Build the template's tree after the workspace's roots; tactical means with no surface are skipped."""
    template = get_template(session=session, user_id=user_id, key=key)
    surfaces = session.exec(
        select(Surface.id, Surface.kind).where(Surface.workspace_id == workspace_id, Surface.archived.is_(False))
    ).all()  # noqa: E712
    by_kind: dict[SurfaceKind, list[int]] = defaultdict(list)
    for sid, kind in surfaces:
        by_kind[SurfaceKind(kind)].append(sid)
    _check_bindings({n.key: n for n in _walk(template.nodes)}, bindings, {sid for sid, _ in surfaces})
    builder = _Builder(session, workspace_id, user_id, bindings, by_kind, template.key)
    for node in template.nodes:
        builder.build(node, None)
    session.flush()
    return builder.result
