import services.tasks.actions.models  # noqa: F401  (registers the tables)
import services.tasks.models  # noqa: F401
from kit.migrations import run_env
from services.tasks.db import VERSION_TABLE, metadata

run_env(metadata, VERSION_TABLE)
