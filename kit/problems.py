"""Render every error of a FastAPI app as problem+json: the web side of kit.errors."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kit.errors import PROBLEM_MEDIA_TYPE, Invalid, Problem, field_error, problem_body

log = logging.getLogger("effekt.errors")


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
