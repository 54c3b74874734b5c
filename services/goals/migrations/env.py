from kit.migrations import run_env
from services.goals.db import VERSION_TABLE
from services.goals.models import metadata  # every concept's tables

run_env(metadata, VERSION_TABLE)
