"""The one way a service becomes a FastAPI app: identity, problems, health, metrics, logs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine

from kit import contract
from kit.conditional import ConditionalMiddleware
from kit.db import ping
from kit.deps import ThreadLimit
from kit.internal import InternalClient
from kit.observability import Metrics, RequestContextMiddleware
from kit.problems import install_problem_handlers, problem_response
from kit.queue import lazy_pool
from kit.settings import common


def create_service_app(
    *,
    name: str,
    title: str,
    description: str,
    engine: Engine,
    redis_url: str,
    signing_key: str,
    routers: Sequence[APIRouter],
    version: str = "0.1.0",
    internal: InternalClient | None = None,
    request_threads: int | None = None,
) -> FastAPI:
    """Build a service app whose API answers only to identities signed by the gateway.

    `internal` (kept as app.state.internal, closed on shutdown) is how its routes ask other services;
    `request_threads` (default EFFEKT_REQUEST_THREADS) bounds the threads its requests' sync work runs on."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.queue = lazy_pool(redis_url)
        try:
            yield
        finally:
            await app.state.queue.aclose(close_connection_pool=True)
            if internal is not None:
                internal.close()
            engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=contract.operation_id,
        redirect_slashes=False,  # an API answers the URL it documents: "/kpis/" is a 404, never a 307 to follow
    )
    app.state.service = name
    app.state.signing_key = signing_key
    app.state.engine = engine
    app.state.internal = internal
    metrics = Metrics(name)
    app.add_middleware(ConditionalMiddleware)  # inside the request context: its reads carry the request id
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    app.add_middleware(ThreadLimit, tokens=request_threads or common().request_threads)
    install_problem_handlers(app)
    app.include_router(health_router(name, engine, metrics))
    for router in routers:
        app.include_router(router)
    contract.install(app)
    return app


def health_router(name: str, engine: Engine, metrics: Metrics) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok", "service": name}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        checks = await readiness(request.app, engine)
        if all(v == "ok" for v in checks.values()):
            return JSONResponse({"status": "ready", "service": name, "checks": checks})
        return problem_response(
            503, "Not ready", "; ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok"), slug="not-ready"
        )

    @router.get("/metrics")
    async def prometheus():
        return metrics.response()

    return router


async def readiness(app: FastAPI, engine: Engine) -> dict[str, str]:
    """Database and Redis, each 'ok' or the reason it is not."""
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(asyncio.to_thread(ping, engine), timeout=3)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable ({type(exc).__name__})"
    try:
        await asyncio.wait_for(app.state.queue.ping(), timeout=3)
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"unreachable ({type(exc).__name__})"
    return checks
