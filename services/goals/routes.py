"""The goals service's routers, in the order they are mounted (Netflix/dispatch's api.py)."""

from services.goals.goals.routes import router as goals
from services.goals.surfaces.routes import router as surfaces
from services.goals.templates.routes import router as templates

# /api/v1/goals/templates before /api/v1/goals/{goal_id}, which would otherwise take the path
routers = [surfaces, templates, goals]
