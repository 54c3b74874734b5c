import gateway.models  # noqa: F401  (registers the tables)
from gateway.db import VERSION_TABLE, metadata
from kit.migrations import run_env

run_env(metadata, VERSION_TABLE)
