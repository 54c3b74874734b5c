from gateway.db import VERSION_TABLE, metadata
import gateway.models  # noqa: F401  (registers the tables)
from kit.migrations import run_env

run_env(metadata, VERSION_TABLE)
