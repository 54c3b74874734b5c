from kit.migrations import run_env
from services.goals.db import VERSION_TABLE, metadata
import services.goals.models  # noqa: F401  (registers the tables)

run_env(metadata, VERSION_TABLE)
