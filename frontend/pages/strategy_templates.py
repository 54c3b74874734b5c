"""Strategy templates: save the goal tree as a template of one's own, list the templates, use one in a workspace.

A saved template belongs to the user who saved it (not to the workspace), so it can be used in every workspace
they work in. Using a template adds its goals after the goals the workspace already has."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request

from frontend.backend import N_, SERVICE_DOWN, Answer, Down, call, get_or_none, refusal
from frontend.deps import WorkspaceDep
from frontend.goal_tree import LEVEL_LABELS
from frontend.pages.strategy import View, tree_page
from frontend.pages.surfaces import KINDS
from frontend.templating import render
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()

SAVE_ERRORS = {
    "name": N_("Enter a name for the template (at most 200 characters)."),
    "description": N_("Use at most 5000 characters for the description."),
}
NOTHING_TO_SAVE = N_("The goal tree has no active goals to save as a template.")
# The built-in templates come from the goals service in English; these are their names and descriptions here.
BUILTIN_TEXT = {
    "digital-strategy": (
        N_("Digital strategy"),
        N_(
            "Strategic goals (increase revenue, reduce costs), the strategic means that serve them, and tactical means on "  # noqa: E501
            "each digital surface. Surfaces are seen together, not one silo each."
        ),
    )
}


# --- save the tree as a template ----------------------------------------------------------------------------


@router.post("/strategy/templates")
async def save_template(
    request: Request,
    browser: WorkspaceDep,
    name: Annotated[str, Form(max_length=400)] = "",
    description: Annotated[str, Form(max_length=10000)] = "",
):
    form = {"name": name, "description": description}
    if not name.strip():
        return await _save_form(request, browser, form, errors={"name": SAVE_ERRORS["name"]}, status=422)
    payload = {"name": name.strip(), "description": description.strip() or None}
    try:
        answer = await call(request, browser, "POST", "/api/v1/goals/templates", payload=payload)
    except Down:
        answer = Answer(503, {})
    if answer.status == 422:
        errors = answer.field_errors(SAVE_ERRORS)
        if set(errors) == {""} and not _names_a_field(answer):  # the service's "no active goals"
            errors = {"": NOTHING_TO_SAVE}
        return await _save_form(request, browser, form, errors=errors, status=422)
    if answer.status == 503:
        return await _save_form(request, browser, form, errors={"": SERVICE_DOWN}, status=503)
    if not answer.ok:
        raise refusal(answer)
    return await _save_form(request, browser, {"name": "", "description": ""}, saved=answer.body)


def _names_a_field(answer: Answer) -> bool:
    problems = answer.body.get("errors") if isinstance(answer.body, dict) else None
    return any(isinstance(p, dict) and p.get("field") for p in problems or [])


async def _save_form(
    request: Request,
    browser: BrowserContext,
    form: dict[str, str],
    *,
    errors: dict | None = None,
    saved: dict | None = None,
    status: int = 200,
):
    """The save-as-template card (its block for htmx), or the whole Strategy page with it open."""
    extra = {"save_form": form, "save_errors": errors or {}, "saved_template": saved, "save_open": True}
    if request.headers.get("hx-target") == "save_template":
        return render(
            request, "strategy.html", {**extra, "can_edit": browser.role.at_least(Role.editor)}, status=status
        )
    return await tree_page(request, browser, View(), extra=extra, status=status)


# --- the templates page -------------------------------------------------------------------------------------


@router.get("/strategy/templates")
async def templates_page(request: Request, browser: WorkspaceDep):
    return await _page(request, browser)


@router.post("/strategy/templates/{key}/use")
async def use_template(
    request: Request, browser: WorkspaceDep, key: Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
):
    answer = await call(
        request, browser, "POST", f"/api/v1/goals/templates/{key}/instantiate", payload={"surface_bindings": {}}
    )
    if not answer.ok:
        raise refusal(answer)
    report = {"key": key, "created": answer.body.get("created", []), "skipped": answer.body.get("skipped", [])}
    return await _page(request, browser, report=report)


async def _page(request: Request, browser: BrowserContext, *, report: dict | None = None):
    body, has_goals = await asyncio.gather(
        get_or_none(request, browser, "/api/v1/goals/templates"), _has_goals(request, browser)
    )
    found = [_shown(t) for t in body.get("data", [])] if isinstance(body, dict) else []
    if report is not None:
        report["template"] = next((t for t in found if t["key"] == report["key"]), None)
    return render(
        request,
        "strategy_templates.html",
        {
            "nav": "strategy",
            "down": body is None,
            "report": report,
            "has_goals": has_goals,
            "builtins": [t for t in found if t["builtin"]],
            "own": [t for t in found if not t["builtin"]],
            "kinds": KINDS,
            "levels": LEVEL_LABELS,
            "can_edit": browser.role.at_least(Role.editor),
        },
    )


async def _has_goals(request: Request, browser: BrowserContext) -> bool:
    """Whether the workspace has active goals (using a template then adds to them); unknown counts as yes."""
    body = await get_or_none(request, browser, "/api/v1/goals", params={"archived": "false", "limit": 1})
    return not isinstance(body, dict) or bool(body.get("count"))


def _shown(template: dict[str, Any]) -> dict[str, Any]:
    """A template as the page lists it: its name and description (translatable for built-ins), goals, kinds."""
    nodes = list(_walk(template.get("nodes") or []))
    name, description = BUILTIN_TEXT.get(template.get("key"), (None, None)) if template.get("builtin") else (None, None)
    kinds = sorted(
        {k for n in nodes for k in n.get("surface_kinds") or []},
        key=lambda k: list(KINDS).index(k) if k in KINDS else len(KINDS),
    )
    return {
        "key": template.get("key"),
        "builtin": bool(template.get("builtin")),
        "name": template.get("name") or "",
        "description": template.get("description") or "",
        "translated": name is not None,
        "name_id": name,
        "description_id": description,
        "created_at": template.get("created_at"),
        "goals": len(nodes),
        "surface_kinds": kinds,
    }


def _walk(nodes: list[dict[str, Any]]):
    for node in nodes:
        yield node
        yield from _walk(node.get("children") or [])
