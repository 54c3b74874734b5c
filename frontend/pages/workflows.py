"""Workflow templates: the list with the built-ins, the step editor (draft → publish, version diff), starting a
run with a preview of every date, and a template's retrospective."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend.backend import N_, int_or_none, refusal
from frontend.deps import WorkspaceDep
from frontend.i18n import pick_language
from frontend.templating import render
from frontend.workflow_backend import body_or_none, tasks
from frontend.workflow_editor import NOT_SAVED, as_edited, parse_definition
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()
DAY_KINDS = {"working": N_("working days"), "calendar": N_("calendar days")}
CAUSES = {
    "missing_step": N_("A step was missing"),
    "wrong_owner": N_("The wrong owner"),
    "estimate_off": N_("An estimate was off"),
}
VERSION_STATES = {"draft": N_("draft"), "published": N_("published"), "retired": N_("retired")}
COPY_GONE = N_("That template is no longer in a workspace you belong to.")


def _editor(browser: BrowserContext) -> bool:
    return browser.role.at_least(Role.editor)


@router.get("/workflows")
async def workflows_page(request: Request, browser: WorkspaceDep):
    lang = pick_language(request, browser.user.locale)
    listed = await body_or_none(request, browser, "/api/v1/workflows", params={"limit": 200})
    builtins = await body_or_none(request, browser, "/api/v1/workflows/builtins", params={"language": lang})
    return render(
        request,
        "workflows.html",
        {
            "nav": "workflows",
            "rows": listed["data"] if listed else [],
            "down": listed is None,
            "builtins": builtins["data"] if builtins else [],
            "can_edit": _editor(browser),
        },
    )


@router.post("/workflows/builtins/{key}")
async def add_builtin(key: str, request: Request, browser: WorkspaceDep):
    lang = pick_language(request, browser.user.locale)
    answer = await tasks(request, browser, "POST", f"/api/v1/workflows/builtins/{key}", payload={"language": lang})
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/workflows/{answer.body['id']}", status_code=303)


async def template_of(request: Request, browser: BrowserContext, workflow_id: int) -> dict:
    """The template (with its current version) if it is in the workspace; the 404 page otherwise."""
    answer = await tasks(request, browser, "GET", f"/api/v1/workflows/{workflow_id}")
    if not answer.ok:
        raise refusal(answer)
    return answer.body


async def _template(request: Request, browser: BrowserContext, workflow_id: int) -> tuple[dict, list[dict]]:
    answer = await tasks(request, browser, "GET", f"/api/v1/workflows/{workflow_id}")
    if not answer.ok:
        raise refusal(answer)
    versions = await body_or_none(request, browser, f"/api/v1/workflows/{workflow_id}/versions")
    return answer.body, versions["data"] if versions else []


# --- copy from another workspace -------------------------------------------------------------------------------


@router.get("/workflows/copy")
async def copy_page(request: Request, browser: WorkspaceDep):
    return await _copy_page(request, browser)


@router.post("/workflows/copy")
async def copy_template(request: Request, browser: WorkspaceDep):
    form = await request.form()
    payload = {"source_id": int_or_none(form.get("source_id")) or 0}
    answer = await tasks(request, browser, "POST", "/api/v1/workflows/copy", payload=payload, vouch=True)
    if answer.status == 422:  # gone from the other workspace, or the user left it meanwhile
        return await _copy_page(request, browser, error=COPY_GONE, status=422)
    if not answer.ok:
        raise refusal(answer)
    return await _copy_page(request, browser, copied=answer.body)


async def _copy_page(request, browser, *, copied=None, error=None, status=200):
    """The other workspaces the user belongs to, each with its templates (one call each, side by side)."""
    others = [w for w, _ in browser.workspaces if w.id != browser.workspace.id]
    listed = await asyncio.gather(
        *(body_or_none(request, browser, "/api/v1/workflows", ws=w.id, params={"limit": 200}) for w in others)
    )
    sources = [
        {"workspace": w, "rows": body["data"] if body else [], "down": body is None}
        for w, body in zip(others, listed, strict=True)
    ]
    return render(
        request,
        "workflow_copy.html",
        {
            "nav": "workflows",
            "sources": sources,
            "copied": copied,
            "error": error,
            "can_edit": _editor(browser),
        },
        status=status,
    )


@router.get("/workflows/{workflow_id}")
async def editor_page(workflow_id: int, request: Request, browser: WorkspaceDep):
    return await _editor_page(request, browser, workflow_id)


async def _editor_page(request, browser, workflow_id, *, edited=None, errors=None, saved=False, status=200):
    """The editor; `edited` is a refused form's content, shown again with `errors` beside its fields."""
    template, versions = await _template(request, browser, workflow_id)
    latest = versions[-1] if versions else template["current"]
    diff = None
    if len(versions) > 1:
        a, b = versions[-2]["number"], versions[-1]["number"]
        diff = await body_or_none(
            request, browser, f"/api/v1/workflows/{workflow_id}/diff", params={"from": a, "to": b}
        )
    return render(
        request,
        "workflow.html",
        {
            "nav": "workflows",
            "wf": template,
            "versions": versions,
            "editing": latest,
            "edited": edited or as_edited(latest["definition"]),
            "diff": diff,
            "errors": errors or {},
            "saved": saved,
            "day_kinds": DAY_KINDS,
            "version_states": VERSION_STATES,
            "can_edit": _editor(browser),
        },
        status=status,
    )


@router.post("/workflows/{workflow_id}")
async def save_template(workflow_id: int, request: Request, browser: WorkspaceDep):
    template, versions = await _template(request, browser, workflow_id)
    base = (versions[-1] if versions else template["current"])["definition"]
    form = await request.form()
    definition, edited, errors = parse_definition(form, base)
    if errors:
        return await _editor_page(request, browser, workflow_id, edited=edited, errors=errors, status=422)
    answer = await tasks(
        request, browser, "PATCH", f"/api/v1/workflows/{workflow_id}", payload={"definition": definition}
    )
    if answer.status == 422:
        details = [e.get("detail") or "" for e in (answer.body or {}).get("errors", [])]
        errors = {"": {"msg": NOT_SAVED, "params": {"why": " ".join(d for d in details if d)}}}
        return await _editor_page(request, browser, workflow_id, edited=edited, errors=errors, status=422)
    if not answer.ok:
        raise refusal(answer)
    if request.headers.get("hx-request") == "true":
        return await _editor_page(request, browser, workflow_id, saved=True)
    return RedirectResponse(f"/workflows/{workflow_id}", status_code=303)


@router.post("/workflows/{workflow_id}/publish")
async def publish(workflow_id: int, request: Request, browser: WorkspaceDep):
    answer = await tasks(request, browser, "POST", f"/api/v1/workflows/{workflow_id}/publish")
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/workflows/{workflow_id}", status_code=303)


# --- retrospective ----------------------------------------------------------------------------------------------


@router.get("/workflows/{workflow_id}/retrospective")
async def retrospective_page(workflow_id: int, request: Request, browser: WorkspaceDep):
    template, _ = await _template(request, browser, workflow_id)
    retro = await body_or_none(request, browser, f"/api/v1/workflows/{workflow_id}/retrospective")
    return render(
        request,
        "workflow_retrospective.html",
        {"nav": "workflows", "wf": template, "retro": retro, "causes": CAUSES, "can_edit": _editor(browser)},
    )


@router.post("/workflows/{workflow_id}/retrospective/draft")
async def draft_from_retrospective(workflow_id: int, request: Request, browser: WorkspaceDep):
    answer = await tasks(request, browser, "POST", f"/api/v1/workflows/{workflow_id}/retrospective/draft")
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/workflows/{workflow_id}", status_code=303)
