"""Every change of a goal, recorded in goal_events: who, when, what, and each field as [old, new]."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session, col

from kit.query import get_scoped, select_page
from services.goals.goals.models import Goal, GoalAction, GoalEvent

TRACKED = (
    "title",
    "description",
    "owner_id",
    "period_from",
    "period_to",
    "weight",
    "level",
    "parent_id",
    "position",
    "archived",
)


def jsonable(value: Any) -> Any:
    """A value as JSON keeps it: dates as ISO text, enums by value, lists item by item."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    return value


def snapshot(goal: Goal) -> dict[str, Any]:
    """The tracked fields of a goal, to diff against after a change."""
    return {name: getattr(goal, name) for name in TRACKED}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field whose value changed."""
    return {k: [jsonable(before.get(k)), jsonable(after.get(k))] for k in after if before.get(k) != after.get(k)}


def record(session: Session, *, goal: Goal, user_id: int, action: GoalAction, changes: dict[str, Any]) -> None:
    """Add one event; an update that changed nothing leaves no trace."""
    if action == GoalAction.updated and not changes:
        return
    session.add(
        GoalEvent(workspace_id=goal.workspace_id, goal_id=goal.id, user_id=user_id, action=action, changes=changes)
    )


def list_history(
    *, session: Session, workspace_id: int, goal_id: int, limit: int = 50, offset: int = 0
) -> tuple[list[GoalEvent], int]:
    """One page of the goal's events, newest first."""
    get_scoped(session, Goal, workspace_id, goal_id, "goal")
    where = [GoalEvent.goal_id == goal_id, GoalEvent.workspace_id == workspace_id]
    order = [col(GoalEvent.id).desc()]  # ids follow the order of writing; clocks can tie
    return select_page(session, GoalEvent, where, order, limit=limit, offset=offset)
