from kit.migrations import run_env
from services.tasks.db import VERSION_TABLE, metadata
import services.tasks.models  # noqa: F401  (registers the tables)

run_env(metadata, VERSION_TABLE)
