"""create_app for the tasks service."""

from fastapi import FastAPI

from kit.embedded_redis import ensure_redis_url
from kit.internal import InternalClient
from kit.service_app import create_service_app
from kit.settings import common
from services.tasks.actions.routes import periods_router as action_periods_router
from services.tasks.actions.routes import router as actions_router
from services.tasks.db import create_engine_from_settings
from services.tasks.routes import router

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
        routers=[router, action_periods_router, actions_router],
        internal=InternalClient(common().gateway_url),
    )
