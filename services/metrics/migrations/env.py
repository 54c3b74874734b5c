from kit.migrations import run_env
from services.metrics.db import VERSION_TABLE, metadata
import services.metrics.models  # noqa: F401  (registers the tables)

run_env(metadata, VERSION_TABLE)
