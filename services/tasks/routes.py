"""The tasks service's routers, in the order they are mounted (Netflix/dispatch's api.py)."""

from services.tasks.actions.routes import periods_router as period_plans
from services.tasks.actions.routes import router as actions
from services.tasks.activity.routes import router as activity
from services.tasks.calendars.routes import feeds as calendar_feeds
from services.tasks.calendars.routes import router as calendars
from services.tasks.notifications.routes import router as notifications
from services.tasks.periods.routes import router as periods
from services.tasks.reminders.routes import router as reminders
from services.tasks.webhooks.routes import router as webhooks
from services.tasks.workflows.routers import ROUTERS as workflows  # workflows, runs, tasks, events, retrospectives

routers = [
    periods,
    period_plans,
    actions,
    *workflows,
    activity,
    reminders,
    notifications,
    webhooks,
    calendars,
    calendar_feeds,
]
