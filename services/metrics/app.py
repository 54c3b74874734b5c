"""create_app for the metrics service."""

from fastapi import FastAPI

from kit.embedded_redis import ensure_redis_url
from kit.internal import InternalClient
from kit.service_app import create_service_app
from kit.settings import common
from services.metrics.db import create_engine_from_settings
from services.metrics.effects.routes import router as effects_router
from services.metrics.routes import router
from services.metrics.routes_cycles import router as cycles_router
from services.metrics.routes_imports import router as imports_router
from services.metrics.routes_observations import router as observations_router
from services.metrics.routes_scorecard import router as scorecard_router

DESCRIPTION = (
    "Measurement: the KPIs a workspace tracks, how each is measured and which way is better, "
    "and the values observed for them."
)


def create_app() -> FastAPI:
    return create_service_app(
        name="metrics",
        title="Effekt metrics",
        description=DESCRIPTION,
        engine=create_engine_from_settings(),
        redis_url=ensure_redis_url(),
        signing_key=common().resolved_signing_key(),
        routers=[router, observations_router, scorecard_router, cycles_router, imports_router, effects_router],
        internal=InternalClient(common().gateway_url),
    )
