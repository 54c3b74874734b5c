"""The tasks service's routers, in the order they are mounted (Netflix/dispatch's api.py)."""

from services.tasks.periods.routes import router as periods

routers = [periods]
