"""Workflow templates: the list with the built-ins, the step editor (draft → publish, version diff), starting a
run with a preview of every date, and a template's retrospective."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend.backend import N_, int_or_none, people, refusal
from frontend.deps import WorkspaceDep
from frontend.i18n import pick_language
from frontend.templating import render
from frontend.workflow_backend import body_or_none, tasks
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()
STEP_FIELDS = ("key", "title", "role", "anchor", "offset_days", "day_kind", "duration_days", "depends_on")
DAY_KINDS = {"working": N_("working days"), "calendar": N_("calendar days")}
CAUSES = {
    "missing_step": N_("A step was missing"),
    "wrong_owner": N_("The wrong owner"),
    "estimate_off": N_("An estimate was off"),
}
MOVED = {"earlier": N_("moved earlier"), "later": N_("moved later")}


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


async def _template(request: Request, browser: BrowserContext, workflow_id: int) -> tuple[dict, list[dict]]:
    answer = await tasks(request, browser, "GET", f"/api/v1/workflows/{workflow_id}")
    if not answer.ok:
        raise refusal(answer)
    versions = await body_or_none(request, browser, f"/api/v1/workflows/{workflow_id}/versions")
    return answer.body, versions["data"] if versions else []


@router.get("/workflows/{workflow_id}")
async def editor_page(workflow_id: int, request: Request, browser: WorkspaceDep):
    return await _editor_page(request, browser, workflow_id)


async def _editor_page(request, browser, workflow_id, *, definition=None, errors=None, status=200):
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
            "definition": definition or latest["definition"],
            "diff": diff,
            "errors": errors or [],
            "day_kinds": DAY_KINDS,
            "can_edit": _editor(browser),
        },
        status=status,
    )


def parse_definition(form: Any, base: dict) -> dict:
    """The editor's rows back into a definition: each step row, plus the new row when it has a key."""
    anchors = [
        {**a, "name": form.get(f"anchor-{i}-name") or a["name"], "hard": form.get(f"anchor-{i}-hard") == "on"}
        for i, a in enumerate(base["anchors"])
    ]
    roles = [{**r, "name": form.get(f"role-{i}-name") or r["name"]} for i, r in enumerate(base["roles"])]
    if form.get("role-new-key"):
        roles.append({"key": form.get("role-new-key"), "name": form.get("role-new-name") or form.get("role-new-key")})
    steps = []
    count = int_or_none(form.get("step-count")) or 0
    for i in [*range(min(count, 60)), "new"]:
        row = {f: (form.get(f"step-{i}-{f}") or "").strip() for f in STEP_FIELDS}
        if i == "new" and not row["key"]:
            continue
        if form.get(f"step-{i}-remove") == "on":
            continue
        step: dict[str, Any] = {**row, "instructions": form.get(f"step-{i}-instructions") or None}
        step["offset_days"] = int_or_none(row["offset_days"]) if row["offset_days"] else 0
        step["duration_days"] = int_or_none(row["duration_days"]) if row["duration_days"] else 1
        step["depends_on"] = [d.strip() for d in row["depends_on"].split(",") if d.strip()]
        approvers = [r.strip() for r in (form.get(f"step-{i}-approvers") or "").split(",") if r.strip()]
        if approvers:
            step["approval"] = {
                "approver_roles": approvers,
                "required": int_or_none(form.get(f"step-{i}-required")) or 1,
            }
        steps.append(step)
    return {"anchors": anchors, "roles": roles, "steps": steps}


@router.post("/workflows/{workflow_id}")
async def save_template(workflow_id: int, request: Request, browser: WorkspaceDep):
    template, versions = await _template(request, browser, workflow_id)
    base = (versions[-1] if versions else template["current"])["definition"]
    form = await request.form()
    definition = parse_definition(form, base)
    answer = await tasks(
        request, browser, "PATCH", f"/api/v1/workflows/{workflow_id}", payload={"definition": definition}
    )
    if answer.status == 422:
        errors = [e.get("detail") or "" for e in (answer.body or {}).get("errors", [])] or [""]
        return await _editor_page(request, browser, workflow_id, definition=definition, errors=errors, status=422)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/workflows/{workflow_id}", status_code=303)


@router.post("/workflows/{workflow_id}/publish")
async def publish(workflow_id: int, request: Request, browser: WorkspaceDep):
    answer = await tasks(request, browser, "POST", f"/api/v1/workflows/{workflow_id}/publish")
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/workflows/{workflow_id}", status_code=303)


# --- starting a run: anchors, roles, preview -------------------------------------------------------------------


def _start_form(form: Any, definition: dict) -> dict:
    return {
        "name": (form.get("name") or "").strip() or None,
        "anchors": {a["key"]: form.get(f"anchor-{a['key']}") or None for a in definition["anchors"]},
        "roles": {r["key"]: int_or_none(form.get(f"role-{r['key']}")) for r in definition["roles"]},
    }


@router.get("/workflows/{workflow_id}/start")
async def start_page(workflow_id: int, request: Request, browser: WorkspaceDep):
    template, _ = await _template(request, browser, workflow_id)
    return await _start_page(request, browser, template, {"name": None, "anchors": {}, "roles": {}})


async def _start_page(request, browser, template, form, *, preview=None, errors=None, status=200):
    return render(
        request,
        "workflow_start.html",
        {
            "nav": "workflows",
            "wf": template,
            "definition": template["current"]["definition"],
            "form": form,
            "members": list((await people(request, browser)).values()),
            "preview": preview,
            "moved": MOVED,
            "errors": errors or {},
        },
        status=status,
    )


def _errors(answer) -> dict[str, str]:
    return {e.get("field", ""): e.get("detail", "") for e in (answer.body or {}).get("errors", [])} or {"": "?"}


@router.post("/workflows/{workflow_id}/start")
async def start_run(workflow_id: int, request: Request, browser: WorkspaceDep):
    template, _ = await _template(request, browser, workflow_id)
    form = await request.form()
    data = _start_form(form, template["current"]["definition"])
    anchors = {k: v for k, v in data["anchors"].items() if v}
    preview = await tasks(
        request, browser, "POST", f"/api/v1/workflows/{workflow_id}/preview", payload={"anchors": anchors}
    )
    if not preview.ok:
        return await _start_page(request, browser, template, data, errors=_errors(preview), status=422)
    if form.get("action") != "start":
        return await _start_page(request, browser, template, data, preview=preview.body)
    payload = {"template_id": workflow_id, "anchors": anchors, "roles": {k: v for k, v in data["roles"].items() if v}}
    if data["name"]:
        payload["name"] = data["name"]
    answer = await tasks(request, browser, "POST", "/api/v1/workflow-runs", payload=payload)
    if answer.status == 422:
        return await _start_page(
            request, browser, template, data, preview=preview.body, errors=_errors(answer), status=422
        )
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/runs/{answer.body['id']}", status_code=303)


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
