"""Reads of the goal tree: the nested tree, the flat list, one goal — each with computed progress.

Each loads the workspace's goals once and its links once (see tree.Forest), and asks metrics for the
KPIs it needs in one call (one per 500 KPIs)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from kit.query import get_scoped, order_by, select_page
from services.goals.goals.metrics_client import KpiSource, fetch_or_none
from services.goals.goals.models import Goal, GoalLevel, GoalSurface
from services.goals.goals.schemas import GoalCrumb, GoalDetail, GoalNode, GoalPublic, GoalSummary, GoalTree, KpiProgress
from services.goals.goals.tree import Forest, Progress

GOAL_SORTS = {"title", "level", "position", "weight", "period_from", "period_to", "created_at", "updated_at"}
DEFAULT_ORDER = [col(Goal.level), col(Goal.position)]  # the level names sort in tree order


def _progress(forest: Forest, roots: list[Goal], kpis: KpiSource) -> Progress:
    return Progress(forest, fetch_or_none(kpis, forest.kpi_ids(roots)))


def kpi_views(forest: Forest, goal: Goal, progress: Progress) -> list[KpiProgress]:
    """The goal's KPI links with what metrics says of each."""
    out = []
    for link in forest.kpis.get(goal.id, []):
        body = progress.raw.get(link.kpi_id)
        measure = progress.kpi(link.kpi_id)
        extra = {k: body.get(k) for k in ("name", "unit", "direction", "actual", "target")} if body else {}
        out.append(
            KpiProgress(
                kpi_id=link.kpi_id,
                weight=link.weight,
                attainment=_round(measure.progress),
                status=measure.status,
                found=body is not None,
                **extra,
            )
        )
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def public(forest: Forest, goal: Goal, progress: Progress) -> GoalPublic:
    """One goal as the list shows it."""
    measure = progress.goal(goal)
    return GoalPublic(
        **goal.model_dump(),
        progress=_round(measure.progress),
        status=measure.status,
        kpis_unavailable=progress.unavailable,
        child_count=len(forest.counted_children(goal)),
        surface_ids=forest.surfaces.get(goal.id, []),
        kpis=kpi_views(forest, goal, progress),
    )


def summary(goal: Goal, progress: Progress) -> GoalSummary:
    measure = progress.goal(goal)
    return GoalSummary(**goal.model_dump(), progress=_round(measure.progress), status=measure.status)


def ask_kpis_first(*, session: Session, workspace_id: int, goal_id: int, kpis: KpiSource) -> None:
    """Ask for the KPIs a goal's detail shows before a write: no HTTP call while the write lock is held."""
    forest = Forest.load(session, workspace_id)
    goal = forest.goals.get(goal_id)
    if goal is not None:
        fetch_or_none(kpis, forest.kpi_ids([goal]))  # remembered for the rest of the request


def goal_detail(*, session: Session, workspace_id: int, goal_id: int, kpis: KpiSource) -> GoalDetail:
    """One goal with progress, its children and its breadcrumb."""
    get_scoped(session, Goal, workspace_id, goal_id, "goal")
    forest = Forest.load(session, workspace_id)
    goal = forest.goals[goal_id]
    progress = _progress(forest, [goal], kpis)
    base = public(forest, goal, progress)
    return GoalDetail(
        **dict(base),
        children=[summary(c, progress) for c in forest.counted_children(goal)],
        ancestors=[GoalCrumb(**a.model_dump()) for a in forest.ancestors(goal)],
    )


def _node(forest: Forest, goal: Goal, progress: Progress, shown: set[int]) -> GoalNode:
    measure = progress.goal(goal)
    children = [_node(forest, c, progress, shown) for c in forest.kids(goal.id) if c.id in shown]
    return GoalNode(
        **goal.model_dump(),
        surface_ids=forest.surfaces.get(goal.id, []),
        kpis=kpi_views(forest, goal, progress),
        progress=_round(measure.progress),
        status=measure.status,
        children=children,
    )


def goal_tree(*, session: Session, workspace_id: int, archived: bool | None, kpis: KpiSource) -> GoalTree:
    """The tree as nested nodes: the active goals (archived=False), the archived ones, or all (None)."""
    forest = Forest.load(session, workspace_id)
    shown = {g.id for g in forest.goals.values() if archived is None or g.archived == archived}
    roots = sorted(
        (forest.goals[i] for i in shown if forest.goals[i].parent_id not in shown),
        key=lambda g: (g.level, g.parent_id or 0, g.position, g.id),
    )
    progress = _progress(forest, roots, kpis)
    nodes = [_node(forest, root, progress, shown) for root in roots]
    return GoalTree(data=nodes, count=len(shown), kpis_unavailable=progress.unavailable)


def list_goals(
    *,
    session: Session,
    workspace_id: int,
    kpis: KpiSource,
    level: GoalLevel | None = None,
    parent_id: int | None = None,
    surface_id: int | None = None,
    archived: bool | None = False,
    q: str | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[GoalPublic], int, bool]:
    """One page of goals with progress, the total that match, and whether metrics could not answer."""
    where = [Goal.workspace_id == workspace_id]
    if level is not None:
        where.append(Goal.level == level)
    if parent_id is not None:
        where.append(Goal.parent_id == parent_id)
    if surface_id is not None:
        where.append(col(Goal.id).in_(select(GoalSurface.goal_id).where(GoalSurface.surface_id == surface_id)))
    if archived is not None:
        where.append(Goal.archived == archived)
    if q:
        where.append(func.lower(Goal.title).contains(q.lower(), autoescape=True))
    order = order_by(Goal, sort, GOAL_SORTS, DEFAULT_ORDER)
    rows, total = select_page(session, Goal, where, order, limit=limit, offset=offset)
    forest = Forest.load(session, workspace_id)
    page = [forest.goals[g.id] for g in rows]
    progress = _progress(forest, page, kpis)
    return [public(forest, g, progress) for g in page], total, progress.unavailable
