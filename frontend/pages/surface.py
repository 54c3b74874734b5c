"""One surface: what it is, who owns it, when it is measured next, its tactical means; edit, archive, restore."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from frontend.backend import SERVICE_DOWN, Down, call, get_or_none, is_htmx, people, refusal
from frontend.deps import WorkspaceDep
from frontend.pages.surfaces import CADENCES, KINDS, SURFACE_ERRORS, Filters, list_page, payload, surface_form
from frontend.templating import render
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()


@router.get("/surfaces/{surface_id}")
async def surface_page(request: Request, browser: WorkspaceDep, surface_id: int):
    return await detail_page(request, browser, surface_id)


@router.post("/surfaces/{surface_id}")
async def edit_surface(request: Request, browser: WorkspaceDep, surface_id: int):
    form = await surface_form(request)
    try:
        answer = await call(
            request, browser, "PATCH", f"/api/v1/surfaces/{surface_id}", payload=payload(form, creating=False)
        )
    except Down:
        return await detail_page(request, browser, surface_id, form=form, errors={"": SERVICE_DOWN}, status=503)
    if answer.status == 422:
        return await detail_page(
            request, browser, surface_id, form=form, errors=answer.field_errors(SURFACE_ERRORS), status=422
        )
    if not answer.ok:
        raise refusal(answer)
    if not is_htmx(request):
        return RedirectResponse(f"/surfaces/{surface_id}", status_code=303)
    return await detail_page(request, browser, surface_id, notice="saved")


@router.post("/surfaces/{surface_id}/archive")
async def archive_surface(
    request: Request, browser: WorkspaceDep, surface_id: int, back: Annotated[str, Form(max_length=2000)] = ""
):
    return await _set_archived(request, browser, surface_id, back, "archive")


@router.post("/surfaces/{surface_id}/restore")
async def restore_surface(
    request: Request, browser: WorkspaceDep, surface_id: int, back: Annotated[str, Form(max_length=2000)] = ""
):
    return await _set_archived(request, browser, surface_id, back, "restore")


async def _set_archived(request: Request, browser: BrowserContext, surface_id: int, back: str, verb: str):
    """From the surface's own page (back = "detail") or from the list (back = the list's query string)."""
    answer = await call(request, browser, "POST", f"/api/v1/surfaces/{surface_id}/{verb}")
    if not answer.ok:
        raise refusal(answer)
    if back == "detail":
        if not is_htmx(request):
            return RedirectResponse(f"/surfaces/{surface_id}", status_code=303)
        return await detail_page(request, browser, surface_id, notice=verb)
    filters = Filters.parse(dict(parse_qsl(back)))
    if not is_htmx(request):
        return RedirectResponse(f"/surfaces?{filters.query()}", status_code=303)
    return await list_page(request, browser, filters, notice={verb: surface_id, "name": answer.body["name"]})


def _form_of(surface: dict[str, Any]) -> dict[str, str]:
    return {
        "name": surface["name"],
        "kind": surface["kind"],
        "url": surface.get("url") or "",
        "owner_id": str(surface.get("owner_id") or ""),
        "cadence": surface["cadence"],
        "period_start": surface["period_start"],
    }


async def detail_page(
    request: Request,
    browser: BrowserContext,
    surface_id: int,
    *,
    form: dict | None = None,
    errors: dict | None = None,
    notice: str | None = None,
    status: int = 200,
):
    answer = await call(request, browser, "GET", f"/api/v1/surfaces/{surface_id}")
    if answer.status != 200:
        raise refusal(answer)
    surface = answer.body
    means = await get_or_none(
        request, browser, "/api/v1/goals", params={"surface_id": surface_id, "level": "tactical_means", "limit": 200}
    )
    return render(
        request,
        "surface.html",
        {
            "nav": "surfaces",
            "surface": surface,
            "people": await people(request, browser),
            "kinds": KINDS,
            "cadences": CADENCES,
            "form": form or _form_of(surface),
            "errors": errors or {},
            "notice": notice,
            "means": means.get("data") if isinstance(means, dict) else None,
            "can_edit": browser.role.at_least(Role.editor),
        },
        status=status,
    )
