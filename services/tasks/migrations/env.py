from kit.migrations import run_env
from services.tasks.db import VERSION_TABLE
from services.tasks.models import metadata  # every concept's tables

run_env(metadata, VERSION_TABLE)
