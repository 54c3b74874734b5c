"""A new workspace, for any signed-in user (also one who belongs to none yet)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError

from frontend.backend import N_
from frontend.deps import BrowserDep
from frontend.pages.auth import see_other
from frontend.pages.settings import form_errors, language, zone_choices
from frontend.templating import render
from gateway import workspaces
from gateway.auth import BrowserContext
from gateway.models import WorkspaceCreate
from kit.errors import Conflict

router = APIRouter()

NEW_ERRORS = {
    "name": N_("Enter a name (at most 200 characters)."),
    "slug": N_("Use 1–48 lowercase letters, digits and dashes, not starting or ending with a dash."),
    "timezone": N_("Choose a time zone from the list."),
}
SLUG_TAKEN = N_("Another workspace already has this short name. Choose another one.")
# A sensible first time zone for each UI language.
LANGUAGE_ZONES = {"nb": "Europe/Oslo", "sv": "Europe/Stockholm", "fi": "Europe/Helsinki", "en": "Europe/Oslo"}


@router.get("/workspaces/new")
async def new_workspace_page(request: Request, browser: BrowserDep):
    zone = LANGUAGE_ZONES.get(language(request, browser), "Europe/Oslo")
    return _page(request, browser, {"name": "", "slug": "", "timezone": zone})


@router.post("/workspaces/new")
async def create_workspace(
    request: Request,
    browser: BrowserDep,
    name: Annotated[str, Form(max_length=400)] = "",
    slug: Annotated[str, Form(max_length=100)] = "",
    timezone: Annotated[str, Form(max_length=64)] = "Europe/Oslo",
):
    form = {"name": name, "slug": slug, "timezone": timezone}
    try:
        data = WorkspaceCreate(name=name, slug=slug or None, timezone=timezone)
        await request.app.state.run_db(
            lambda s: workspaces.create_current_workspace(
                session=s, data=data, user_id=browser.user.id, session_id=browser.session.id
            )
        )
    except ValidationError as exc:
        return _page(request, browser, form, errors=form_errors(exc, NEW_ERRORS), status=422)
    except Conflict:
        return _page(request, browser, form, errors={"slug": SLUG_TAKEN}, status=422)
    return see_other(request, "/")


def _page(
    request: Request, browser: BrowserContext, form: dict[str, str], *, errors: dict | None = None, status: int = 200
):
    return render(
        request,
        "workspace_new.html",
        {
            "form": form,
            "errors": errors or {},
            "zones": zone_choices(language(request, browser), form["timezone"]),
            "first": not browser.workspaces,
        },
        status=status,
    )
