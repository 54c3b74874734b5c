"""create_app for the metrics service."""

from fastapi import FastAPI

from kit.embedded_redis import ensure_redis_url
from kit.internal import InternalClient
from kit.service_app import create_service_app
from kit.settings import common
from services.metrics.db import create_engine_from_settings
from services.metrics.routes import ROUTERS

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
        routers=ROUTERS,
        internal=InternalClient(common().gateway_url),
    )
