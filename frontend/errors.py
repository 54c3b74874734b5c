"""Errors a browser can read: every page error is an HTML page in the product's layout (the API keeps
problem+json); htmx gets the part it can swap, and a pushed URL that only accepts a form goes back a step."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from frontend.deps import NoWorkspace, SignInRequired
from frontend.templating import render
from kit.errors import Invalid, Problem
from kit.problems import problem_response, validation_errors

log = logging.getLogger("effekt.errors")
SWAPPED = frozenset({409, 422, 429})  # the statuses base.html's htmx-config swaps


def wants_problem(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/internal/")) or path in ("/healthz", "/readyz", "/metrics")


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def error_page(request: Request, status: int, detail: str | None = None, errors: list | None = None) -> Response:
    """The error page; for htmx a swapped status shows the message inside the target and keeps the URL."""
    context = {"status": status, "title": None, "detail": detail, "errors": errors or []}
    if is_htmx(request):
        if status in SWAPPED:
            response = render(request, "_error_alert.html", context, status=status)
            response.headers["HX-Reswap"] = "afterbegin"
        else:
            response = render(request, "error.html", context, status=status)
        if not (request.headers.get("hx-boosted") == "true" and request.method == "GET"):
            response.headers["HX-Push-Url"] = "false"  # a boosted link's error page is at its URL (effekt.js)
        return response
    try:
        return render(request, "error.html", context, status=status)
    except Exception:  # the layout itself failed: still answer something a person can read
        log.exception("the error page failed on %s", request.url.path)
        return Response(f"Error {status}", status_code=status, media_type="text/plain")


def install_html_errors(app: FastAPI) -> None:
    """Pages answer errors with an HTML page; the API keeps problem+json."""

    @app.exception_handler(SignInRequired)
    async def _signin(request: Request, exc: SignInRequired):
        url = "/signin" if exc.next_url in ("", "/") else f"/signin?next={exc.next_url}"
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)

    @app.exception_handler(NoWorkspace)
    async def _no_workspace(request: Request, exc: NoWorkspace):
        return RedirectResponse("/workspaces/new", status_code=303)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem):
        if wants_problem(request):
            return problem_response(
                exc.status,
                exc.title,
                exc.detail,
                slug=exc.slug,
                errors=exc.errors,
                instance=request.url.path,
                headers=exc.headers,
            )
        return error_page(request, exc.status, exc.detail, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        errors = validation_errors(exc)
        if wants_problem(request):
            detail = "; ".join(f"{e['field']}: {e['detail']}" for e in errors[:5])
            return problem_response(
                422, Invalid.title, detail, slug=Invalid.slug, errors=errors, instance=request.url.path
            )
        if any(err.get("loc", ("",))[0] == "path" for err in exc.errors()):
            return error_page(request, 404)  # /kpis/abc names nothing, as /kpis/999999 names nothing
        return error_page(request, 422, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if wants_problem(request):
            return problem_response(
                exc.status_code,
                {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error"),
                exc.detail if isinstance(exc.detail, str) else None,
                instance=request.url.path,
            )
        if exc.status_code == 405 and request.method == "GET":
            # A form's URL pushed into history, then reloaded: go to the page the form belongs to.
            return RedirectResponse(request.url.path.rstrip("/").rsplit("/", 1)[0] or "/", status_code=303)
        return error_page(request, exc.status_code)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if wants_problem(request):
            return problem_response(
                500, "Internal error", "The server failed; the error was logged.", instance=request.url.path
            )
        return error_page(request, 500)
