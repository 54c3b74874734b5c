import services.goals.goal_models  # noqa: F401
import services.goals.models  # noqa: F401  (registers the tables)
from kit.migrations import run_env
from services.goals.db import VERSION_TABLE, metadata

run_env(metadata, VERSION_TABLE)
