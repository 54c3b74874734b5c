"""Starting a run of a workflow: its dates, a member for each role, optionally the action and the surface it
serves; a preview of every step's dates before anything starts, and the messages beside the fields it needs."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend.backend import N_, get_or_none, int_or_none, people, refusal
from frontend.deps import WorkspaceDep
from frontend.pages.workflows import template_of
from frontend.templating import render
from frontend.workflow_backend import tasks

router = APIRouter()
MOVED = {"earlier": N_("moved earlier"), "later": N_("moved later")}
# The service's refusals, by field, as the form says them beside the field (its details are in English).
ANCHOR_MISSING = N_("Choose a date.")
ROLE_MISSING = N_("Choose a member of this workspace for this role.")
APPROVERS = N_(
    "An approval needs as many different approvers as it asks for, none of whom did the work: "
    "choose other people for its approver roles."
)
FIELD_MESSAGES = {
    "surface_id": N_("Choose one of this workspace's surfaces."),
    "action_id": N_("Choose one of this workspace's actions."),
    "name": N_("Use at most 200 characters for the name."),
}
UNKNOWN = N_("The run could not be started. Check the dates and the roles.")


def _start_form(form: Any, definition: dict) -> dict:
    return {
        "name": (form.get("name") or "").strip() or None,
        "anchors": {a["key"]: form.get(f"anchor-{a['key']}") or None for a in definition["anchors"]},
        "roles": {r["key"]: int_or_none(form.get(f"role-{r['key']}")) for r in definition["roles"]},
        "surface_id": int_or_none(form.get("surface_id")),
        "action_id": int_or_none(form.get("action_id")),
    }


def field_errors(answer) -> dict[str, str]:
    """The service's 422 as messages beside the form's fields: anchor-<key>, role-<key>, roles, surface_id …"""
    out: dict[str, str] = {}
    for e in (answer.body or {}).get("errors", []) if isinstance(answer.body, dict) else []:
        field = e.get("field") or ""
        head, _, key = field.partition(".")
        if head == "anchors" and key:
            out.setdefault(f"anchor-{key}", ANCHOR_MISSING)
        elif head == "roles" and key:
            out.setdefault(f"role-{key}", ROLE_MISSING)
        elif head == "roles":
            out.setdefault("roles", APPROVERS)
        elif field in FIELD_MESSAGES:
            out.setdefault(field, FIELD_MESSAGES[field])
        else:
            out.setdefault("", UNKNOWN)
    return out or {"": UNKNOWN}


@router.get("/workflows/{workflow_id}/start")
async def start_page(workflow_id: int, request: Request, browser: WorkspaceDep):
    template = await template_of(request, browser, workflow_id)
    form = {"name": None, "anchors": {}, "roles": {}, "surface_id": None, "action_id": None}
    return await _start_page(request, browser, template, form)


async def _start_page(request, browser, template, form, *, preview=None, errors=None, status=200):
    members, surfaces, actions = await asyncio.gather(
        people(request, browser),
        get_or_none(request, browser, "/api/v1/surfaces", params={"limit": 200}),
        get_or_none(request, browser, "/api/v1/actions", params={"limit": 200}),
    )
    return render(
        request,
        "workflow_start.html",
        {
            "nav": "workflows",
            "wf": template,
            "definition": template["current"]["definition"],
            "form": form,
            "members": list(members.values()),
            "surfaces": (surfaces or {}).get("data", []),
            "actions": (actions or {}).get("data", []),
            "preview": preview,
            "moved": MOVED,
            "errors": errors or {},
        },
        status=status,
    )


@router.post("/workflows/{workflow_id}/start")
async def start_run(workflow_id: int, request: Request, browser: WorkspaceDep):
    template = await template_of(request, browser, workflow_id)
    form = await request.form()
    data = _start_form(form, template["current"]["definition"])
    anchors = {k: v for k, v in data["anchors"].items() if v}
    preview = await tasks(
        request, browser, "POST", f"/api/v1/workflows/{workflow_id}/preview", payload={"anchors": anchors}
    )
    if not preview.ok:
        if preview.status != 422:
            raise refusal(preview)
        return await _start_page(request, browser, template, data, errors=field_errors(preview), status=422)
    if form.get("action") != "start":
        return await _start_page(request, browser, template, data, preview=preview.body)
    payload = {"template_id": workflow_id, "anchors": anchors, "roles": {k: v for k, v in data["roles"].items() if v}}
    for key in ("name", "surface_id", "action_id"):
        if data[key]:
            payload[key] = data[key]
    answer = await tasks(request, browser, "POST", "/api/v1/workflow-runs", payload=payload)
    if answer.status == 422:
        errors = field_errors(answer)
        return await _start_page(request, browser, template, data, preview=preview.body, errors=errors, status=422)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/runs/{answer.body['id']}", status_code=303)
