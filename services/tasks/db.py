"""The tasks service's own SQLModel registry and its engine."""

from pathlib import Path

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from kit.db import make_engine
from services.tasks.config import settings

SERVICE_DIR = Path(__file__).parent
VERSION_TABLE = "alembic_version_tasks"


class TasksModel(SQLModel, registry=registry()):
    """Base of every tasks model; its metadata holds only this service's tables."""


metadata = TasksModel.metadata


def create_engine_from_settings():
    return make_engine(settings().url())


__all__ = ["TasksModel", "metadata", "create_engine_from_settings", "SERVICE_DIR", "VERSION_TABLE"]
