"""The gateway's own SQLModel registry and its engine."""

from pathlib import Path

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from gateway.config import settings
from kit.db import make_engine

SERVICE_DIR = Path(__file__).parent
VERSION_TABLE = "alembic_version_gateway"


class GatewayModel(SQLModel, registry=registry()):
    """Base of every gateway model; its metadata holds only the gateway's tables."""


metadata = GatewayModel.metadata


def create_engine_from_settings():
    return make_engine(settings().url())


__all__ = ["GatewayModel", "metadata", "create_engine_from_settings", "SERVICE_DIR", "VERSION_TABLE"]
