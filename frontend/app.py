"""The public edge with its UI: the gateway app plus the pages, static files and HTML error pages."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from frontend.deps import NoWorkspace, SignInRequired, csrf_protect
from frontend.pages import (
    auth,
    cycles,
    goals,
    home,
    imports,
    kpis,
    scorecard,
    settings,
    sso,
    strategy,
    strategy_templates,
    surface,
    surfaces,
    tokens,
    workspaces,
)
from frontend.templating import render
from gateway.app import create_app as create_gateway_app
from kit.errors import Problem
from kit.problems import problem_response

STATIC = Path(__file__).parent / "static"
PAGE_MODULES = (
    auth,
    sso,
    home,
    settings,
    tokens,
    workspaces,
    surfaces,
    surface,
    strategy_templates,
    strategy,
    goals,
    kpis,
    imports,
    scorecard,
    cycles,
)


def create_app() -> FastAPI:
    app = create_gateway_app()
    ui = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
    for module in PAGE_MODULES:
        ui.include_router(module.router)
    app.include_router(ui)
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_html_errors(app)
    return app


def wants_problem(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/readyz", "/metrics")


def install_html_errors(app: FastAPI) -> None:
    """Pages answer errors with an HTML page; the API keeps problem+json."""

    @app.exception_handler(SignInRequired)
    async def _signin(request: Request, exc: SignInRequired):
        url = "/signin" if exc.next_url in ("", "/") else f"/signin?next={exc.next_url}"
        if request.headers.get("hx-request") == "true":
            from starlette.responses import Response

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
        return render(
            request, "error.html", {"status": exc.status, "title": exc.title, "detail": exc.detail}, status=exc.status
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if wants_problem(request):
            return problem_response(
                exc.status_code,
                "Not found" if exc.status_code == 404 else "Error",
                exc.detail if isinstance(exc.detail, str) else None,
                instance=request.url.path,
            )
        return render(
            request, "error.html", {"status": exc.status_code, "title": None, "detail": None}, status=exc.status_code
        )
