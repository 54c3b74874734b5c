"""The public edge with its UI: the gateway app plus the pages, static files and HTML error pages."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from frontend.deps import csrf_protect
from frontend.errors import install_html_errors
from frontend.pages import (
    action_plan,
    actions,
    auth,
    calendars,
    connectors,
    cycles,
    feedback,
    feedback_form,
    goals,
    home,
    imports,
    kpis,
    notifications,
    reminder_settings,
    scorecard,
    settings,
    sso,
    strategy,
    strategy_templates,
    surface,
    surfaces,
    tokens,
    webhooks,
    workflow_runs,
    workflow_start,
    workflows,
    workspaces,
)
from gateway.app import create_app as create_gateway_app

STATIC = Path(__file__).parent / "static"
PAGE_MODULES = (
    auth,
    sso,
    home,
    settings,
    tokens,
    webhooks,
    calendars,
    reminder_settings,
    workspaces,
    surfaces,
    surface,
    strategy_templates,
    strategy,
    goals,
    kpis,
    imports,
    scorecard,
    action_plan,  # before cycles and actions: /cycles/findings and /actions/matrix are not ids
    actions,
    cycles,
    feedback,
    connectors,
    workflows,
    workflow_start,
    workflow_runs,
    notifications,
)


def create_app() -> FastAPI:
    app = create_gateway_app()
    ui = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
    for module in PAGE_MODULES:
        ui.include_router(module.router)
    app.include_router(ui)
    app.include_router(feedback_form.router, include_in_schema=False)  # public: no session, no CSRF
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_html_errors(app)
    return app
