"""create_app for the goals service."""

from fastapi import FastAPI

from kit.embedded_redis import ensure_redis_url
from kit.service_app import create_service_app
from kit.settings import common
from services.goals.db import create_engine_from_settings
from services.goals.routes import router

DESCRIPTION = "Strategy: the digital surfaces a workspace runs and the goal tree they serve."


def create_app() -> FastAPI:
    return create_service_app(name="goals", title="Effekt goals", description=DESCRIPTION,
                              engine=create_engine_from_settings(), redis_url=ensure_redis_url(),
                              signing_key=common().resolved_signing_key(), routers=[router])
