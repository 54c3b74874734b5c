"""A workspace's goal tree in memory: one query for the goals, one for each kind of link.

Reads of the tree, the list and one goal all build on it, so their number of queries does not grow
with the number of goals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlmodel import Session, col, select

from services.goals.goals.models import Goal, GoalKpi, GoalSurface
from services.goals.goals.progress import KpiFigures, Measure, measure_kpi, roll_up


class KpiLink(NamedTuple):
    kpi_id: int
    weight: float


def _by_position(goal: Goal) -> tuple[int, int]:
    return goal.position, goal.id


@dataclass
class Forest:
    goals: dict[int, Goal]
    children: dict[int | None, list[Goal]]
    surfaces: dict[int, list[int]] = field(default_factory=dict)
    kpis: dict[int, list[KpiLink]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, workspace_id: int, *, links: bool = True) -> Forest:
        """Every goal of the workspace (one query) and, with `links`, its surfaces and KPIs (one query each)."""
        goals = {g.id: g for g in session.exec(select(Goal).where(Goal.workspace_id == workspace_id)).all()}
        children: dict[int | None, list[Goal]] = defaultdict(list)
        for goal in goals.values():
            children[goal.parent_id].append(goal)
        for siblings in children.values():
            siblings.sort(key=_by_position)
        forest = cls(goals, children)
        if links:
            forest._load_links(session, workspace_id)
        return forest

    def _load_links(self, session: Session, workspace_id: int) -> None:
        # Plain rows, not ORM objects: building thousands of instances would cost more than the queries.
        mine = select(Goal.id).where(Goal.workspace_id == workspace_id)
        surfaces: dict[int, list[int]] = defaultdict(list)
        for goal_id, surface_id in session.exec(
            select(GoalSurface.goal_id, GoalSurface.surface_id)
            .where(col(GoalSurface.goal_id).in_(mine))
            .order_by(col(GoalSurface.surface_id))
        ).all():
            surfaces[goal_id].append(surface_id)
        kpis: dict[int, list[KpiLink]] = defaultdict(list)
        for goal_id, kpi_id, weight in session.exec(
            select(GoalKpi.goal_id, GoalKpi.kpi_id, GoalKpi.weight)
            .where(col(GoalKpi.goal_id).in_(mine))
            .order_by(col(GoalKpi.kpi_id))
        ).all():
            kpis[goal_id].append(KpiLink(kpi_id, weight))
        self.surfaces, self.kpis = surfaces, kpis

    def kids(self, goal_id: int | None) -> list[Goal]:
        return self.children.get(goal_id, [])

    def counted_children(self, goal: Goal) -> list[Goal]:
        """The children that count for a goal's progress: the active ones, or all of an archived goal."""
        return [c for c in self.kids(goal.id) if goal.archived or not c.archived]

    def ancestors(self, goal: Goal) -> list[Goal]:
        """From the root down to the goal's parent."""
        chain = []
        parent = self.goals.get(goal.parent_id) if goal.parent_id is not None else None
        while parent is not None and len(chain) <= len(self.goals):
            chain.append(parent)
            parent = self.goals.get(parent.parent_id) if parent.parent_id is not None else None
        return chain[::-1]

    def subtree(self, goal: Goal) -> list[Goal]:
        """The goal and all its descendants, parents before children."""
        out, stack = [], [goal]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(self.kids(node.id)))
        return out

    def kpi_ids(self, roots: Iterable[Goal]) -> set[int]:
        """Every KPI linked anywhere in the subtrees of `roots`."""
        return {link.kpi_id for root in roots for node in self.subtree(root) for link in self.kpis.get(node.id, [])}

    def all_kpi_ids(self) -> set[int]:
        return {link.kpi_id for links in self.kpis.values() for link in links}


class Progress:
    """Measures of KPIs and goals, each computed once: a goal's from its KPIs and counted children."""

    def __init__(self, forest: Forest, kpis: Mapping[int, dict[str, Any]] | None):
        self.forest = forest
        self.unavailable = kpis is None
        self.raw = kpis or {}
        self._kpi: dict[int, Measure] = {}
        self._goal: dict[int, Measure] = {}

    def kpi(self, kpi_id: int) -> Measure:
        if kpi_id not in self._kpi:
            body = self.raw.get(kpi_id)
            self._kpi[kpi_id] = measure_kpi(KpiFigures.from_api(body) if body is not None else None)
        return self._kpi[kpi_id]

    def goal(self, goal: Goal) -> Measure:
        if goal.id not in self._goal:
            items = [(link.weight, self.kpi(link.kpi_id)) for link in self.forest.kpis.get(goal.id, [])]
            items += [(child.weight, self.goal(child)) for child in self.forest.counted_children(goal)]
            self._goal[goal.id] = roll_up(items)
        return self._goal[goal.id]
