"""Moving, reordering, archiving and restoring subtrees of the goal tree. Scoped by workspace; never commits."""

from __future__ import annotations

from sqlmodel import Session

from kit.errors import Invalid
from kit.fields import utcnow
from services.goals.goals import history
from services.goals.goals.models import Goal, GoalAction, GoalLevel, GoalMove
from services.goals.goals.service import check_parent, get_goal
from services.goals.goals.siblings import close_gap, place, renumber
from services.goals.goals.tree import Forest


def _check_no_cycle(session: Session, goal: Goal, parent: Goal | None) -> None:
    """Refuse a parent that is the goal itself or one of its descendants."""
    seen: set[int] = set()
    node = parent
    while node is not None and node.id not in seen:
        if node.id == goal.id:
            raise Invalid.field("parent_id", "a goal cannot move under itself or one of its descendants")
        seen.add(node.id)
        node = session.get(Goal, node.parent_id) if node.parent_id is not None else None


def move_goal(*, session: Session, workspace_id: int, user_id: int, goal_id: int, data: GoalMove) -> Goal:
    """Move a goal and its subtree under another parent of the right level, or reorder it among its siblings."""
    goal = get_goal(session=session, workspace_id=workspace_id, goal_id=goal_id)
    parent_id = data.parent_id if "parent_id" in data.model_fields_set else goal.parent_id
    old_parent, before = goal.parent_id, history.snapshot(goal)
    if parent_id != old_parent:
        parent = session.get(Goal, parent_id) if parent_id is not None else None
        if parent is not None and parent.workspace_id == workspace_id:
            _check_no_cycle(session, goal, parent)
        parent = check_parent(session, workspace_id=workspace_id, level=GoalLevel(goal.level), parent_id=parent_id)
        if parent is not None and parent.archived and not goal.archived:
            raise Invalid.field("parent_id", "the new parent is archived; restore it first")
        goal.parent_id = parent_id
        session.add(goal)
        if not goal.archived:
            close_gap(session, workspace_id=workspace_id, parent_id=old_parent, leaving=goal.id)
    place(session, goal, data.position)
    changes = history.diff(before, history.snapshot(goal))
    if changes:
        goal.updated_at = utcnow()
        history.record(session, goal=goal, user_id=user_id, action=GoalAction.moved, changes=changes)
    session.flush()
    return goal


def set_archived(*, session: Session, workspace_id: int, user_id: int, goal_id: int, archived: bool) -> Goal:
    """Archive a goal with all its descendants, or restore them; a goal under an archived parent stays archived."""
    goal = get_goal(session=session, workspace_id=workspace_id, goal_id=goal_id)
    if goal.archived == archived:
        return goal
    forest = Forest.load(session, workspace_id, links=False)
    if not archived and goal.parent_id is not None and forest.goals[goal.parent_id].archived:
        raise Invalid.field("parent_id", "the parent is archived; restore it first")
    action = GoalAction.archived if archived else GoalAction.restored
    subtree = forest.subtree(goal)
    for node in subtree:
        if node.archived != archived:
            node.archived, node.updated_at = archived, utcnow()
            session.add(node)
            history.record(
                session, goal=node, user_id=user_id, action=action, changes={"archived": [not archived, archived]}
            )
    if archived:
        close_gap(session, workspace_id=workspace_id, parent_id=goal.parent_id, leaving=goal.id)
    else:
        place(session, goal, goal.position)
        for node in subtree:  # children archived one by one earlier come back at their old places
            renumber(session, sorted(forest.kids(node.id), key=lambda g: (g.position, g.id)))
    session.flush()
    return goal
