"""Order among siblings: the active children of one parent are numbered 0..n-1, so order is stable.

An archived goal keeps the position it had as a hint of where it stood; restoring it puts it back
there among the active siblings."""

from __future__ import annotations

from sqlmodel import Session, col, select

from services.goals.goals.models import Goal


def active_siblings(session: Session, *, workspace_id: int, parent_id: int | None, exclude: int | None) -> list[Goal]:
    """The active children of `parent_id` (the roots for None) in order, without `exclude`."""
    where = [Goal.workspace_id == workspace_id, Goal.archived == False]  # noqa: E712  (SQL, not Python)
    where.append(col(Goal.parent_id).is_(None) if parent_id is None else Goal.parent_id == parent_id)
    if exclude is not None:
        where.append(Goal.id != exclude)
    return list(session.exec(select(Goal).where(*where).order_by(col(Goal.position), col(Goal.id))).all())


def renumber(session: Session, ordered: list[Goal]) -> None:
    """Give `ordered` the positions 0..n-1, touching only the rows that change."""
    for index, goal in enumerate(ordered):
        if goal.position != index:
            goal.position = index
            session.add(goal)


def place(session: Session, goal: Goal, position: int | None) -> None:
    """Put an active goal at `position` (last when None or past the end) among its parent's active children."""
    others = active_siblings(session, workspace_id=goal.workspace_id, parent_id=goal.parent_id, exclude=goal.id)
    if goal.archived:
        goal.position = len(others) if position is None else position
        session.add(goal)
        return
    index = len(others) if position is None else min(position, len(others))
    others.insert(index, goal)
    renumber(session, others)


def close_gap(session: Session, *, workspace_id: int, parent_id: int | None, leaving: int) -> None:
    """Renumber the active siblings a goal leaves (moved elsewhere or archived)."""
    renumber(session, active_siblings(session, workspace_id=workspace_id, parent_id=parent_id, exclude=leaving))
