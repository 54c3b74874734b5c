"""Business rules of goals: levels, periods, surfaces and KPI links. Scoped by workspace; never commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from kit.errors import Invalid, NotFound, field_error
from kit.fields import utcnow
from kit.query import get_scoped
from services.goals.goals import history
from services.goals.goals.metrics_client import KpiSource
from services.goals.goals.models import (
    PARENT_LEVEL,
    Goal,
    GoalAction,
    GoalCreate,
    GoalKpi,
    GoalLevel,
    GoalSurface,
    GoalUpdate,
    KpiLinkIn,
)
from services.goals.goals.siblings import place
from services.goals.surfaces.models import Surface

EDITABLE = ("title", "description", "owner_id", "period_from", "period_to", "weight")
LABEL = {
    GoalLevel.strategic_goal: "strategic goal",
    GoalLevel.strategic_means: "strategic means",
    GoalLevel.tactical_means: "tactical means",
}


def get_goal(*, session: Session, workspace_id: int, goal_id: int) -> Goal:
    """The goal, if it belongs to the workspace."""
    return get_scoped(session, Goal, workspace_id, goal_id, "goal")


def check_period(period_from: date | None, period_to: date | None) -> None:
    """A period ends on or after it starts."""
    if period_from is not None and period_to is not None and period_to < period_from:
        raise Invalid.field("period_to", "must be on or after period_from")


def check_parent(session: Session, *, workspace_id: int, level: GoalLevel, parent_id: int | None) -> Goal | None:
    """The parent a goal of `level` may have: none for a strategic goal, else one of the level above."""
    want = PARENT_LEVEL[level]
    if parent_id is None:
        if want is not None:
            raise Invalid.field("parent_id", f"a {LABEL[level]} needs a {LABEL[want]} as parent")
        return None
    parent = session.get(Goal, parent_id)
    if parent is None or parent.workspace_id != workspace_id:
        raise Invalid.field("parent_id", f"no goal {parent_id} in this workspace")
    if want is None:
        raise Invalid.field("parent_id", "a strategic goal has no parent")
    if parent.level != want:
        raise Invalid.field(
            "parent_id", f"a {LABEL[level]} goes under a {LABEL[want]}, not under a {LABEL[GoalLevel(parent.level)]}"
        )
    return parent


def check_surfaces(session: Session, *, workspace_id: int, level: GoalLevel, surface_ids: list[int]) -> None:
    """A tactical means has at least one active surface of the workspace; other levels have none."""
    if level != GoalLevel.tactical_means:
        if surface_ids:
            raise Invalid.field("surface_ids", "only a tactical means is tied to surfaces")
        return
    if not surface_ids:
        raise Invalid.field("surface_ids", "a tactical means needs at least one surface")
    found = set(
        session.exec(
            select(Surface.id).where(
                col(Surface.id).in_(surface_ids), Surface.workspace_id == workspace_id, Surface.archived.is_(False)
            )
        ).all()
    )  # noqa: E712  (SQL, not Python)
    missing = [i for i in surface_ids if i not in found]
    if missing:
        raise Invalid.field("surface_ids", f"no active surface {', '.join(map(str, missing))} in this workspace")


def check_kpis(metrics: KpiSource, links: list[KpiLinkIn], *, known: set[int], field: str = "kpis") -> None:
    """KPIs not linked yet must be ones metrics returns for the workspace (Unavailable: 503)."""
    new = [(index, link) for index, link in enumerate(links) if link.kpi_id not in known]
    if not new:
        return
    found = metrics.fetch([link.kpi_id for _, link in new])
    errors = [
        field_error(f"{field}.{index}.kpi_id" if field == "kpis" else field, f"no KPI {link.kpi_id} in this workspace")
        for index, link in new
        if link.kpi_id not in found
    ]
    if errors:
        raise Invalid("; ".join(f"{e['field']}: {e['detail']}" for e in errors), errors=errors)


def _creation(goal: Goal, surface_ids: list[int], links: list[KpiLinkIn]) -> dict[str, Any]:
    fields = {
        k: [None, history.jsonable(v)] for k, v in history.snapshot(goal).items() if v is not None and k != "archived"
    }
    if surface_ids:
        fields["surface_ids"] = [None, surface_ids]
    if links:
        fields["kpis"] = [None, [link.model_dump() for link in links]]
    return fields


def create_goal(*, session: Session, workspace_id: int, user_id: int, data: GoalCreate, metrics: KpiSource) -> Goal:
    """Add a goal under a parent of the level above, last among its siblings unless a position is given."""
    check_period(data.period_from, data.period_to)
    parent = check_parent(session, workspace_id=workspace_id, level=data.level, parent_id=data.parent_id)
    if parent is not None and parent.archived:
        raise Invalid.field("parent_id", "the parent is archived; restore it first")
    check_surfaces(session, workspace_id=workspace_id, level=data.level, surface_ids=data.surface_ids)
    check_kpis(metrics, data.kpis, known=set())
    goal = Goal(
        **data.model_dump(include=set(EDITABLE)), level=data.level, parent_id=data.parent_id, workspace_id=workspace_id
    )
    session.add(goal)
    session.flush()
    place(session, goal, data.position)
    session.add_all([GoalSurface(goal_id=goal.id, surface_id=s) for s in data.surface_ids])
    session.add_all([GoalKpi(goal_id=goal.id, kpi_id=link.kpi_id, weight=link.weight) for link in data.kpis])
    history.record(
        session,
        goal=goal,
        user_id=user_id,
        action=GoalAction.created,
        changes=_creation(goal, data.surface_ids, data.kpis),
    )
    session.flush()
    return goal


def _replace_surfaces(session: Session, goal: Goal, surface_ids: list[int]) -> dict[str, Any]:
    current = session.exec(select(GoalSurface).where(GoalSurface.goal_id == goal.id)).all()
    old = sorted(link.surface_id for link in current)
    if old == sorted(surface_ids):
        return {}
    for link in current:
        if link.surface_id not in surface_ids:
            session.delete(link)
    session.add_all([GoalSurface(goal_id=goal.id, surface_id=s) for s in surface_ids if s not in old])
    return {"surface_ids": [old, sorted(surface_ids)]}


def _current_kpis(session: Session, goal: Goal) -> dict[int, GoalKpi]:
    return {link.kpi_id: link for link in session.exec(select(GoalKpi).where(GoalKpi.goal_id == goal.id)).all()}


def _replace_kpis(session: Session, goal: Goal, links: list[KpiLinkIn], *, user_id: int) -> dict[str, Any]:
    """Make the goal's (checked) KPI links exactly `links`; weight changes come back as {kpis.<id>.weight: …}."""
    current = _current_kpis(session, goal)
    wanted = {link.kpi_id: link.weight for link in links}
    changed: dict[str, Any] = {}
    for kpi_id, link in current.items():
        if kpi_id not in wanted:
            session.delete(link)
            history.record(
                session,
                goal=goal,
                user_id=user_id,
                action=GoalAction.kpi_unlinked,
                changes={"kpi_id": [kpi_id, None], "weight": [link.weight, None]},
            )
        elif wanted[kpi_id] != link.weight:
            changed[f"kpis.{kpi_id}.weight"] = [link.weight, wanted[kpi_id]]
            link.weight = wanted[kpi_id]
            session.add(link)
    for kpi_id, weight in wanted.items():
        if kpi_id not in current:
            session.add(GoalKpi(goal_id=goal.id, kpi_id=kpi_id, weight=weight))
            history.record(
                session,
                goal=goal,
                user_id=user_id,
                action=GoalAction.kpi_linked,
                changes={"kpi_id": [None, kpi_id], "weight": [None, weight]},
            )
    return changed


def update_goal(
    *, session: Session, workspace_id: int, user_id: int, goal_id: int, data: GoalUpdate, metrics: KpiSource
) -> Goal:
    """Change the fields the caller sent; the level is fixed by the goal's place in the tree."""
    goal = get_goal(session=session, workspace_id=workspace_id, goal_id=goal_id)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("level", goal.level) != goal.level:
        raise Invalid.field("level", "is fixed by the goal's place in the tree; move the goal instead")
    check_period(changes.get("period_from", goal.period_from), changes.get("period_to", goal.period_to))
    if "surface_ids" in changes:
        check_surfaces(session, workspace_id=workspace_id, level=GoalLevel(goal.level), surface_ids=data.surface_ids)
    if "kpis" in changes:
        check_kpis(metrics, data.kpis, known=set(_current_kpis(session, goal)))
    before = history.snapshot(goal)
    goal.sqlmodel_update({k: v for k, v in changes.items() if k in EDITABLE})
    if "position" in changes:
        place(session, goal, changes["position"])
    extra = _replace_surfaces(session, goal, data.surface_ids) if "surface_ids" in changes else {}
    if "kpis" in changes:
        extra |= _replace_kpis(session, goal, data.kpis, user_id=user_id)
    recorded = history.diff(before, history.snapshot(goal)) | extra
    if recorded:
        goal.updated_at = utcnow()
        session.add(goal)
        history.record(session, goal=goal, user_id=user_id, action=GoalAction.updated, changes=recorded)
    session.flush()
    return goal


def link_kpi(
    *, session: Session, workspace_id: int, user_id: int, goal_id: int, link: KpiLinkIn, metrics: KpiSource
) -> Goal:
    """Link one KPI to the goal, or change the weight of its link."""
    goal = get_goal(session=session, workspace_id=workspace_id, goal_id=goal_id)
    current = session.get(GoalKpi, (goal.id, link.kpi_id))
    if current is None:
        check_kpis(metrics, [link], known=set(), field="kpi_id")
        session.add(GoalKpi(goal_id=goal.id, kpi_id=link.kpi_id, weight=link.weight))
        history.record(
            session,
            goal=goal,
            user_id=user_id,
            action=GoalAction.kpi_linked,
            changes={"kpi_id": [None, link.kpi_id], "weight": [None, link.weight]},
        )
    elif current.weight != link.weight:
        history.record(
            session,
            goal=goal,
            user_id=user_id,
            action=GoalAction.updated,
            changes={f"kpis.{link.kpi_id}.weight": [current.weight, link.weight]},
        )
        current.weight = link.weight
        session.add(current)
    session.flush()
    return goal


def unlink_kpi(*, session: Session, workspace_id: int, user_id: int, goal_id: int, kpi_id: int) -> Goal:
    """Remove one KPI link of the goal; the KPI itself stays in metrics."""
    goal = get_goal(session=session, workspace_id=workspace_id, goal_id=goal_id)
    current = session.get(GoalKpi, (goal.id, kpi_id))
    if current is None:
        raise NotFound(f"Goal {goal_id} has no link to KPI {kpi_id}.")
    session.delete(current)
    history.record(
        session,
        goal=goal,
        user_id=user_id,
        action=GoalAction.kpi_unlinked,
        changes={"kpi_id": [kpi_id, None], "weight": [current.weight, None]},
    )
    session.flush()
    return goal
