from kit.migrations import run_env
from services.goals.db import VERSION_TABLE, metadata
import services.goals.models  # noqa: F401  (registers the tables)
import services.goals.goal_models  # noqa: F401

run_env(metadata, VERSION_TABLE)
