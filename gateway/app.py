"""create_app for the gateway: the public edge in front of every service."""

from __future__ import annotations

from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from gateway import api, calendars
from gateway.auth import Authenticator, Signer
from gateway.config import settings
from gateway.db import create_engine_from_settings
from gateway.edge import SecurityHeaders, TrustedProxies
from gateway.recipients import router as recipients_router
from gateway.routes import proxy_routes, router
from gateway.safety import IdempotencyMiddleware, RateLimitMiddleware
from gateway.signin_limit import Limits, SigninLimiter
from gateway.upstream import Upstreams
from kit import contract
from kit.conditional import ConditionalMiddleware
from kit.db import in_session
from kit.embedded_redis import ensure_redis_url
from kit.observability import Metrics, RequestContextMiddleware
from kit.problems import install_problem_handlers
from kit.queue import lazy_pool
from kit.settings import common

DESCRIPTION = """The Effekt API: goals, KPIs, actions and workflows of one workspace.

Authenticate with an API token (`Authorization: Bearer efk_…`). A token is bound to one workspace and
one role (viewer < editor < admin < owner); every id outside that workspace answers 404, exactly as a
missing one. Errors are RFC 9457 problem details (`application/problem+json`) with `errors[]` naming
each invalid field. Lists answer `{data, count, limit, offset, next}` (and a `Link: <…>; rel="next"` header)
and take `limit`, `offset` and `sort`.

Safe writes: every record answer carries an `ETag`; send it back as `If-Match` on PATCH, PUT or DELETE and a
record changed meanwhile answers 412. A POST with an `Idempotency-Key` header answers the first answer again
when repeated with the same body within 24 hours (another body: 422). A 201 carries `Location`. Each token
may make a number of requests per minute: every answer says `RateLimit-Limit`, `RateLimit-Remaining` and
`RateLimit-Reset`; over it, a 429 with `Retry-After`.
"""


def create_app() -> FastAPI:
    """The gateway app (API, proxy, health). The frontend adds its pages on top of it."""
    cfg = settings()
    engine = create_engine_from_settings()
    redis_url = ensure_redis_url()
    signing_key = common().resolved_signing_key()
    upstreams = Upstreams(
        cfg.upstream_urls(),
        Signer(signing_key),
        timeout=cfg.upstream_timeout,
        connect_timeout=cfg.upstream_connect_timeout,
        concurrency=cfg.upstream_concurrency,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await upstreams.start()
        try:
            yield
        finally:
            await upstreams.close()
            await app.state.queue.aclose(close_connection_pool=True)
            engine.dispose()

    app = FastAPI(
        title="Effekt API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        generate_unique_id_function=contract.operation_id,
    )
    state = app.state
    state.settings = cfg
    state.signing_key = signing_key
    state.engine = engine
    state.upstreams = upstreams
    state.auth = Authenticator(engine, cfg.token_cache_seconds)
    state.queue = state.redis = lazy_pool(redis_url)
    state.limiter = SigninLimiter(
        state.redis,
        Limits(
            per_pair=cfg.signin_pair_limit,
            per_account=cfg.signin_account_limit,
            per_address=cfg.signin_address_limit,
            window=cfg.signin_window_seconds,
        ),
    )
    state.metrics = Metrics("gateway")
    state.run_db = lambda fn, *a, **kw: run_in_threadpool(partial(in_session, engine, fn, *a, **kw))
    app.add_middleware(ConditionalMiddleware, prefixes=("/api/v1/workspaces", "/api/v1/me"))  # the services' own
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RateLimitMiddleware, limit=cfg.api_rate_limit, window=cfg.api_rate_window_seconds)
    app.add_middleware(RequestContextMiddleware, metrics=state.metrics)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(TrustedProxies, trusted=cfg.trusted_proxies)  # outermost: everything sees the real client
    install_problem_handlers(app)
    app.include_router(router)
    app.include_router(recipients_router)  # notifications' addresses, before the /internal/<service> proxy
    app.include_router(api.router)
    app.include_router(calendars.router)
    app.router.routes.extend(proxy_routes)
    return app
