"""Every concept's tables, imported once: the one registry Alembic (migrations/env.py) reads."""

import services.tasks.periods.models  # noqa: F401
from services.tasks.db import metadata

__all__ = ["metadata"]
