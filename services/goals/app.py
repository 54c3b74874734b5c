"""create_app for the goals service."""

from fastapi import FastAPI

from kit.embedded_redis import ensure_redis_url
from kit.internal import InternalClient
from kit.service_app import create_service_app
from kit.settings import common
from services.goals.db import create_engine_from_settings
from services.goals.goals.progress import RULES
from services.goals.routes import routers

DESCRIPTION = "Strategy: the digital surfaces a workspace runs and the goal tree they serve.\n\n" + RULES


def create_app() -> FastAPI:
    return create_service_app(
        name="goals",
        title="Effekt goals",
        description=DESCRIPTION,
        engine=create_engine_from_settings(),
        redis_url=ensure_redis_url(),
        signing_key=common().resolved_signing_key(),
        routers=routers,
        internal=InternalClient(common().gateway_url),
    )
