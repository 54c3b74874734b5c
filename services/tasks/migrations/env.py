import services.tasks.models  # noqa: F401  (registers the tables)
from kit.migrations import run_env
from services.tasks.db import VERSION_TABLE, metadata

run_env(metadata, VERSION_TABLE)
