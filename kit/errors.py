"""One error shape everywhere: RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://effekt.dev/problems/"
log = logging.getLogger("effekt.errors")


class Problem(Exception):
    """An error the caller can act on; rendered as problem+json."""

    status = 500
    title = "Internal error"
    slug = "internal"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers
        if title:
            self.title = title


class BadRequest(Problem):
    status, title, slug = 400, "Bad request", "bad-request"


class Unauthorized(Problem):
    status, title, slug = 401, "Not authenticated", "unauthorized"


class Forbidden(Problem):
    status, title, slug = 403, "Not allowed", "forbidden"


class NotFound(Problem):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(Problem):
    status, title, slug = 409, "Conflict", "conflict"


class Invalid(Problem):
    status, title, slug = 422, "Invalid input", "invalid"

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        """A 422 that names one field."""
        return cls(f"{field}: {message}", errors=[field_error(field, message)])


class RateLimited(Problem):
    status, title, slug = 429, "Too many requests", "rate-limited"


class BadGateway(Problem):
    status, title, slug = 502, "Upstream service failed", "bad-gateway"


class Unavailable(Problem):
    status, title, slug = 503, "Service unavailable", "unavailable"


def field_error(field: str, message: str) -> dict[str, Any]:
    """One entry of errors[]: a dotted field path, a JSON pointer and a message."""
    return {"field": field, "pointer": "/" + field.replace(".", "/"), "detail": message}


def problem_body(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    slug: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": TYPE_BASE + (slug or str(status)), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body


def problem_response(status: int, title: str, detail: str | None = None, **kw: Any) -> JSONResponse:
    headers = kw.pop("headers", None)
    return JSONResponse(
        problem_body(status, title, detail, **kw), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def _loc_to_field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:] or parts
    return ".".join(parts)


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Map pydantic's error list to errors[] with field paths."""
    out = []
    for err in exc.errors():
        msg = err.get("msg", "invalid")
        out.append(field_error(_loc_to_field(err.get("loc", ())), msg))
    return out


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of the app a problem+json response; never a traceback."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            slug=exc.slug,
            errors=exc.errors,
            instance=request.url.path,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors[:5])
        return problem_response(422, Invalid.title, detail, slug=Invalid.slug, errors=errors, instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(
            exc.status_code, title, detail, instance=request.url.path, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500, "Internal error", "The server failed; the error was logged.", instance=request.url.path
        )
