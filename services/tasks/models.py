"""Every concept's tables, imported once: the one registry Alembic (migrations/env.py) reads."""

import services.tasks.actions.models  # noqa: F401
import services.tasks.activity.models  # noqa: F401
import services.tasks.calendars.models  # noqa: F401
import services.tasks.notifications.models  # noqa: F401
import services.tasks.periods.models  # noqa: F401
import services.tasks.reminders.models  # noqa: F401
import services.tasks.webhooks.models  # noqa: F401
import services.tasks.workflows.tables  # noqa: F401  (workflows, runs, tasks, events, retrospectives)
from services.tasks.db import metadata

__all__ = ["metadata"]
