"""The business rules of the goals service, in one place to import from.

Each concept lives in its own module: surfaces, goals (levels, periods, links), moves (move, reorder,
archive, restore), history, reads (tree, list, one goal, with progress), templates. The progress and
status rules are in progress.py, as pure functions."""

from services.goals.goals import create_goal, get_goal, link_kpi, unlink_kpi, update_goal
from services.goals.history import list_history
from services.goals.moves import move_goal
from services.goals.moves import set_archived as set_goal_archived
from services.goals.reads import goal_detail, goal_tree, list_goals
from services.goals.surfaces import (
    SURFACE_SORTS,
    create_surface,
    get_surface,
    list_surfaces,
    set_archived,
    to_public,
    update_surface,
)
from services.goals.templates import get_template, instantiate_template, list_templates, save_template

__all__ = [
    "SURFACE_SORTS",
    "create_goal",
    "create_surface",
    "get_goal",
    "get_surface",
    "get_template",
    "goal_detail",
    "goal_tree",
    "instantiate_template",
    "link_kpi",
    "list_goals",
    "list_history",
    "list_surfaces",
    "list_templates",
    "move_goal",
    "save_template",
    "set_archived",
    "set_goal_archived",
    "to_public",
    "unlink_kpi",
    "update_goal",
    "update_surface",
]
