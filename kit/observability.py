"""Request ids, JSON logs and Prometheus metrics, as pure ASGI middleware (cheap on hot paths)."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
import uuid

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_RID_BYTES = REQUEST_ID_HEADER.encode()


class JsonFormatter(logging.Formatter):
    """One JSON object per line, carrying the request id of the current request."""

    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_logging(service: str, level: str = "INFO", as_json: bool = True) -> None:
    """Route the root logger to stderr, as JSON lines unless told otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(service) if as_json else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


class Metrics:
    """The Prometheus registry of one app: request count and latency by route template."""

    def __init__(self, service: str):
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "effekt_http_requests_total",
            "HTTP requests",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "effekt_http_request_seconds",
            "HTTP request latency",
            ["service", "method", "route"],
            registry=self.registry,
        )
        self.service = service

    def response(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class RequestContextMiddleware:
    """Take or make a request id, echo it back, log errors with it, and count the request."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = None
        for name, value in scope["headers"]:
            if name == _RID_BYTES:
                rid = value.decode("latin-1")[:128]
                break
        if not rid:
            rid = uuid.uuid4().hex
            scope["headers"] = [*scope["headers"], (_RID_BYTES, rid.encode())]
        token = request_id_var.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (_RID_BYTES, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            endpoint = scope.get("endpoint")  # plain Starlette routes (the gateway's proxy) set only this
            name = getattr(endpoint, "__name__", None) or type(endpoint).__name__ if endpoint else None
            template = getattr(route, "path", None) or (f"<{name}>" if name else "unmatched")
            method = scope["method"]
            self.metrics.requests.labels(self.metrics.service, method, template, str(status)).inc()
            self.metrics.latency.labels(self.metrics.service, method, template).observe(time.perf_counter() - started)
            request_id_var.reset(token)


def current_request_id(request: Request | None = None) -> str:
    return request_id_var.get()
