"""create_app for the tasks service."""

from fastapi import FastAPI

from kit.embedded_redis import ensure_redis_url
from kit.internal import InternalClient
from kit.service_app import create_service_app
from kit.settings import common
from services.tasks.db import create_engine_from_settings
from services.tasks.routes import routers

DESCRIPTION = (
    "Execution: the action list (findings become prioritised actions whose effect the next cycles judge) "
    "and the planning periods (time boxes such as a quarter) into which actions are planned."
)


def create_app() -> FastAPI:
    return create_service_app(
        name="tasks",
        title="Effekt tasks",
        description=DESCRIPTION,
        engine=create_engine_from_settings(),
        redis_url=ensure_redis_url(),
        signing_key=common().resolved_signing_key(),
        routers=routers,
        internal=InternalClient(common().gateway_url),  # members (workflows), goal/KPI/finding ids (actions)
    )
