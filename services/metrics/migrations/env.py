import services.metrics.models  # noqa: F401  (registers every concept's tables)
from kit.migrations import run_env
from services.metrics.db import VERSION_TABLE, metadata

run_env(metadata, VERSION_TABLE)
