"""The gateway's HTTP surface: /api/v1/me, the proxy to services, the merged OpenAPI, health."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from starlette.responses import Response
from starlette.routing import Route

from gateway import openapi, workspaces
from gateway.models import User, UserPublic, Workspace, WorkspacePublic
from kit import contract
from kit.errors import NotFound, TooLarge
from kit.fields import MAX_ID
from kit.identity import IDENTITY_HEADER, verify_identity
from kit.problems import problem_response
from kit.queue import heartbeat_key
from kit.roles import Role
from kit.service_app import readiness

# Which service owns each public resource under /api/v1/.
RESOURCES = {
    "surfaces": "goals",
    "goals": "goals",
    "kpis": "metrics",
    "observations": "metrics",
    "cycles": "metrics",
    "scorecard": "metrics",
    "imports": "metrics",
    "feedback": "metrics",
    "activity": "metrics",
    "connectors": "metrics",
    "effects": "metrics",
    "notification-outbox": "metrics",
    "actions": "tasks",
    "periods": "tasks",
    "workflows": "tasks",
    "tasks": "tasks",
    "workflow-runs": "tasks",
    "my-work": "tasks",
    "task-events": "tasks",
    "notifications": "tasks",
    "webhooks": "tasks",
    "calendars": "tasks",
    "reminder-settings": "tasks",
    "task-activity": "tasks",
}
OPENAPI_TTL = 30.0
FORWARD_HEADERS = ("content-type", "accept", "accept-language", "if-none-match", "if-match")


class Me(BaseModel):
    user: UserPublic
    workspace: WorkspacePublic
    role: Role
    via: str


router = APIRouter()


@router.get(
    "/api/v1/me",
    response_model=Me,
    tags=["identity"],
    summary="Who am I",
    responses={401: {"description": "No valid API token or session"}},
)
async def get_me(request: Request) -> Me:
    """The caller, the workspace the token (or session) is bound to, and the role there."""
    principal, via = await request.app.state.auth.api_principal(request)
    user, workspace = await request.app.state.run_db(_me_rows, principal.user_id, principal.workspace_id)
    return Me(
        user=UserPublic.model_validate(user),
        workspace=WorkspacePublic.model_validate(workspace),
        role=principal.role,
        via=via,
    )


def _me_rows(session, user_id: int, workspace_id: int):
    return session.get(User, user_id), session.get(Workspace, workspace_id)


async def proxy(request: Request) -> Response:
    """Route /api/v1/<resource>/… to the service that owns the resource, with a signed identity."""
    resource = request.path_params["resource"]
    service = RESOURCES.get(resource)
    if service is None:
        raise NotFound(f"No resource {resource!r} in this API.")
    state = request.app.state
    principal, _ = await state.auth.api_principal(request)
    headers = state.upstreams.identity_headers(principal)
    for name in FORWARD_HEADERS:
        value = request.headers.get(name)
        if value is not None:  # an empty If-Match is the service's to refuse (400), not the gateway's to drop
            headers[name] = value
    body = await read_body(request, state.settings.max_body_bytes) if request.method not in ("GET", "HEAD") else None
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return relay(*await state.upstreams.send(service, request.method, path, headers=headers, body=body))


async def internal(request: Request) -> Response:
    """Service-to-service reads: GET /internal/<service>/<path> with the caller's signed identity."""
    state = request.app.state
    service = request.path_params["service"]
    if service not in state.upstreams.urls:
        raise NotFound(f"No service {service!r}.")
    principal = verify_identity(state.signing_key, request.headers.get(IDENTITY_HEADER, ""))
    path = "/" + request.path_params["rest"] + (f"?{request.url.query}" if request.url.query else "")
    headers = state.upstreams.identity_headers(principal)
    # never queued: the caller's request already holds a place in its own service's queue, and two services asking
    # each other while both queues are full would wait for each other
    return relay(*await state.upstreams.send(service, "GET", path, headers=headers, queued=False))


@router.get("/internal/gateway/members", include_in_schema=False)
async def internal_members(request: Request) -> JSONResponse:
    """The members of the caller's workspace (user ids, names, roles): how a service binds people to work."""
    state = request.app.state
    principal = verify_identity(state.signing_key, request.headers.get(IDENTITY_HEADER, ""))
    rows = await state.run_db(lambda session: workspaces.members(session=session, workspace_id=principal.workspace_id))
    return JSONResponse({"data": [m.model_dump(mode="json") for m in rows], "count": len(rows)})


@router.get("/internal/gateway/members/{user_id}", include_in_schema=False)
async def internal_member(request: Request, user_id: int) -> JSONResponse:
    """For services checking an id in a body: is this user a member of the caller's workspace? 200 or 404."""
    principal = verify_identity(request.app.state.signing_key, request.headers.get(IDENTITY_HEADER, ""))
    if not 0 < user_id <= MAX_ID:
        raise NotFound("No such member in this workspace.")
    found = await request.app.state.run_db(
        lambda s: workspaces.membership(session=s, user_id=user_id, workspace_id=principal.workspace_id)
    )
    if found is None:
        raise NotFound("No such member in this workspace.")
    return JSONResponse({"user_id": user_id, "role": found.role})


async def read_body(request: Request, limit: int) -> bytes:
    """The request's body, refused (413) as soon as it is larger than `limit`: never held whole beyond it."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"The request is larger than {limit // (1024 * 1024)} MB.")
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"The request is larger than {limit // (1024 * 1024)} MB.")
        parts.append(chunk)
    return b"".join(parts)


def relay(status: int, kept: list[tuple[str, str]], content: bytes) -> Response:
    """The upstream's answer, with the headers worth passing on."""
    response = Response(content, status_code=status)
    for key, value in kept:
        response.headers[key] = value
    return response


PROXY_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
proxy_routes = [
    Route("/api/v1/{resource}", proxy, methods=PROXY_METHODS),
    Route("/api/v1/{resource}/{rest:path}", proxy, methods=PROXY_METHODS),
    Route("/internal/{service}/{rest:path}", internal, methods=["GET"]),
]


@router.get("/api/openapi.json", include_in_schema=False)
async def merged_openapi(request: Request) -> JSONResponse:
    state = request.app.state
    cached = getattr(state, "openapi_cache", None)
    if cached and cached[0] > time.monotonic():
        return JSONResponse(cached[1])
    names = list(state.upstreams.urls)
    docs = await asyncio.gather(*(state.upstreams.openapi(n) for n in names))
    doc = contract.finish(openapi.merge(request.app.openapi(), dict(zip(names, docs, strict=False))))
    if all(d is not None for d in docs):
        state.openapi_cache = (time.monotonic() + OPENAPI_TTL, doc)
    return JSONResponse(doc)


DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<title>Effekt API</title>
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


@router.get("/api/docs", include_in_schema=False)
async def api_docs() -> HTMLResponse:
    """Swagger UI; its set-up is a static file, as the Content-Security-Policy allows no inline script."""
    return HTMLResponse(DOCS_PAGE)


@router.get("/healthz", include_in_schema=False)
async def healthz(request: Request) -> JSONResponse:
    """The gateway is up; each upstream service up or down with its latency; each worker's last beat."""
    state = request.app.state
    names = list(state.upstreams.urls)
    results = await asyncio.gather(*(state.upstreams.health(n) for n in names))
    services = dict(zip(names, results, strict=False))
    workers = await _worker_beats(state.redis, names)
    for name in names:
        services[name]["worker_seen_seconds_ago"] = workers.get(name)
    degraded = any(s["status"] != "up" for s in services.values())
    return JSONResponse({"status": "degraded" if degraded else "ok", "gateway": "up", "services": services})


async def _worker_beats(redis, names: list[str]) -> dict[str, float | None]:
    try:
        values = await asyncio.wait_for(redis.mget([heartbeat_key(n) for n in names]), timeout=2)
    except Exception:
        return {}
    now = time.time()
    return {n: (round(now - float(v), 1) if v else None) for n, v in zip(names, values, strict=False)}


@router.get("/readyz", include_in_schema=False)
async def readyz(request: Request) -> Response:
    checks = await readiness(request.app, request.app.state.engine)
    if all(v == "ok" for v in checks.values()):
        return JSONResponse({"status": "ready", "service": "gateway", "checks": checks})
    return problem_response(
        503, "Not ready", "; ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok"), slug="not-ready"
    )


@router.get("/metrics", include_in_schema=False)
async def prometheus(request: Request) -> Response:
    return request.app.state.metrics.response()
