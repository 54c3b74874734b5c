"""Every concept's tables, imported once: the one registry Alembic (migrations/env.py) reads."""

import services.goals.goals.models  # noqa: F401
import services.goals.surfaces.models  # noqa: F401
import services.goals.templates.models  # noqa: F401
from services.goals.db import metadata

__all__ = ["metadata"]
