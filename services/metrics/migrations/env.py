import services.metrics.cycle_models  # noqa: F401  (registers the tables)
import services.metrics.import_models  # noqa: F401
import services.metrics.models  # noqa: F401
from kit.migrations import run_env
from services.metrics.db import VERSION_TABLE, metadata

run_env(metadata, VERSION_TABLE)
