"""Runs of workflows: the list with filters, a run's page (timeline, who holds the work, the steps' actions,
re-plan diffs, roles, history, notes) and My work across every workspace of the user."""

from __future__ import annotations

import math
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend.backend import N_, get_or_none, int_or_none, people, refusal
from frontend.deps import WorkspaceDep
from frontend.pages.workflows import CAUSES
from frontend.templating import render
from frontend.workflow_backend import body_or_none, principal_in, tasks
from frontend.workflow_timeline import timeline
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()
STATES = {
    "waiting": N_("Waiting"),
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "sent_back": N_("Sent back"),
    "skipped": N_("Skipped"),
}
RUN_STATES = {"running": N_("Running"), "finished": N_("Finished"), "cancelled": N_("Cancelled")}
HISTORY = {
    "started": N_("started"),
    "handed_over": N_("handed over"),
    "done": N_("done"),
    "approved": N_("approved"),
    "sent_back": N_("sent back"),
    "skipped": N_("skipped"),
    "reassigned": N_("role reassigned"),
    "due_moved": N_("due date moved"),
    "replan_accepted": N_("re-plan accepted"),
    "replan_rejected": N_("re-plan rejected"),
    "finished": N_("finished"),
}
OPTIONS = {
    "shift": N_("Move the later steps, keeping their gaps"),
    "shorten": N_("Keep the fixed date; shorten the steps before it"),
    "move_anchor": N_("Move the fixed date"),
}
BUCKETS = (
    ("overdue", N_("Overdue")),
    ("due_today", N_("Due today")),
    ("this_week", N_("This week")),
    ("later", N_("Later")),
    ("waiting_for_approval", N_("Waiting for my approval")),
)
ACTIONS = {"start", "complete", "approve", "send-back", "skip"}


def _ws(request: Request) -> int | None:
    value = int_or_none(request.query_params.get("ws"))
    return value if value and 0 < value < 2**31 else None


def run_url(run_id: int, ws: int | None, browser: BrowserContext) -> str:
    return f"/runs/{run_id}" + (f"?ws={ws}" if ws and ws != browser.workspace.id else "")


@router.get("/runs")
async def runs_page(request: Request, browser: WorkspaceDep):
    q = request.query_params
    filters = {
        "template_id": int_or_none(q.get("template_id")),
        "state": q.get("state") if q.get("state") in RUN_STATES else None,
        "owner_id": int_or_none(q.get("owner_id")),
        "surface_id": int_or_none(q.get("surface_id")),
        "late": q.get("late") if q.get("late") in ("true", "false") else None,
    }
    params = {k: v for k, v in filters.items() if v is not None} | {"limit": 100}
    body = await body_or_none(request, browser, "/api/v1/workflow-runs", params=params)
    templates = await body_or_none(request, browser, "/api/v1/workflows", params={"limit": 200})
    surfaces = await get_or_none(request, browser, "/api/v1/surfaces", params={"limit": 200})
    return render(
        request,
        "workflow_runs.html",
        {
            "nav": "runs",
            "rows": body["data"] if body else [],
            "count": body["count"] if body else 0,
            "down": body is None,
            "filters": filters,
            "templates": {t["id"]: t["name"] for t in (templates or {}).get("data", [])},
            "surfaces": {sf["id"]: sf["name"] for sf in (surfaces or {}).get("data", [])},
            "people": await people(request, browser),
            "run_states": RUN_STATES,
        },
    )


@router.get("/runs/{run_id}")
async def run_page(run_id: int, request: Request, browser: WorkspaceDep):
    return await _run_page(request, browser, run_id, _ws(request))


async def _run_page(request, browser, run_id, ws, *, error: str | None = None, status: int = 200):
    answer = await tasks(request, browser, "GET", f"/api/v1/workflow-runs/{run_id}", ws=ws)
    if not answer.ok:
        raise refusal(answer)
    run = answer.body
    principal = principal_in(browser, ws)
    today = principal.today()
    members = await people(request, browser, principal.workspace_id)  # the run's workspace: the user is a member
    proposal = next((p for p in run["proposals"] if p["state"] == "open"), None)
    serves = {}
    if run.get("surface_id") and principal.workspace_id == browser.workspace.id:
        serves["surface"] = await get_or_none(request, browser, f"/api/v1/surfaces/{run['surface_id']}")
    if run.get("action_id"):
        serves["action"] = await body_or_none(request, browser, f"/api/v1/actions/{run['action_id']}", ws=ws)
    return render(
        request,
        "workflow_run.html",
        {
            "nav": "runs",
            "run": run,
            "ws": ws if ws != browser.workspace.id else None,
            "ws_name": next((w.name for w, _ in browser.workspaces if w.id == principal.workspace_id), ""),
            "me": browser.user.id,
            "today": today.isoformat(),
            "tl": timeline(run["tasks"], today, {k: v for k, v in run["anchors"].items()}),
            "people": members,
            "proposal": proposal,
            "serves": serves,
            "options": OPTIONS,
            "states": STATES,
            "history": HISTORY,
            "causes": CAUSES,
            "error": error,
            "can_edit": principal.role.at_least(Role.editor),
            "by_key": {t["step_key"]: t for t in run["tasks"]},
        },
        status=status,
    )


def _payload(action: str, form: Any) -> dict | None:
    if action == "approve":
        return {"comment": form.get("comment") or None}
    if action == "send-back":
        return {"comment": (form.get("comment") or "").strip(), "target": form.get("target") or None}
    if action == "skip":
        return {"reason": (form.get("reason") or "").strip()}
    return None


@router.post("/runs/{run_id}/tasks/{task_id}/time")
async def log_time(run_id: int, task_id: int, request: Request, browser: WorkspaceDep):
    """A task's time log: hours on a day (today by default), from the run page."""
    ws = _ws(request)
    form = await request.form()
    hours = str(form.get("hours") or "").strip().replace(",", ".")
    try:
        payload = {"hours": float(hours), "day": form.get("day") or None}
    except ValueError:
        payload = None
    if payload is not None and not math.isfinite(payload["hours"]):
        payload = None
    answer = None
    if payload is not None:
        answer = await tasks(request, browser, "POST", f"/api/v1/tasks/{task_id}/time", ws=ws, payload=payload)
    if answer is None or answer.status == 422:
        detail = N_("Give the hours as a number from 0.25 to 24, and a day.")
        return await _run_page(request, browser, run_id, ws, error=detail, status=422)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(run_url(run_id, ws, browser) + "#steps", status_code=303)


@router.post("/runs/{run_id}/tasks/{task_id}/{action}")
async def task_action(run_id: int, task_id: int, action: str, request: Request, browser: WorkspaceDep):
    if action not in ACTIONS:
        return RedirectResponse(f"/runs/{run_id}", status_code=303)
    ws = _ws(request)
    form = await request.form()
    path = f"/api/v1/tasks/{task_id}/{action}"
    answer = await tasks(request, browser, "POST", path, ws=ws, payload=_payload(action, form))
    if answer.status in (409, 422, 403):
        detail = N_("That cannot be done now: reload the page and try again.")
        if answer.status == 422:
            detail = N_("Write a comment that says what must change, and choose an earlier step.")
        return await _run_page(request, browser, run_id, ws, error=detail, status=answer.status)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(run_url(run_id, ws, browser), status_code=303)


@router.post("/runs/{run_id}/proposals/{proposal_id}")
async def decide(run_id: int, proposal_id: int, request: Request, browser: WorkspaceDep):
    ws = _ws(request)
    form = await request.form()
    payload = {"accept": form.get("decision") == "accept", "option": form.get("option") or None}
    answer = await tasks(
        request, browser, "POST", f"/api/v1/workflow-runs/{run_id}/proposals/{proposal_id}", ws=ws, payload=payload
    )
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(run_url(run_id, ws, browser), status_code=303)


@router.post("/runs/{run_id}/roles")
async def reassign(run_id: int, request: Request, browser: WorkspaceDep):
    ws = _ws(request)
    form = await request.form()
    role, user_id = form.get("role") or "", int_or_none(form.get("user_id"))
    answer = await tasks(
        request, browser, "PUT", f"/api/v1/workflow-runs/{run_id}/roles/{role}", ws=ws, payload={"user_id": user_id}
    )
    if answer.status == 422:
        return await _run_page(request, browser, run_id, ws, error=N_("Choose a member of this workspace."), status=422)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(run_url(run_id, ws, browser), status_code=303)


@router.post("/runs/{run_id}/notes")
async def add_note(run_id: int, request: Request, browser: WorkspaceDep):
    ws = _ws(request)
    form = await request.form()
    payload = {
        "cause": form.get("cause"),
        "body": (form.get("body") or "").strip(),
        "step_key": form.get("step_key") or None,
    }
    answer = await tasks(request, browser, "POST", f"/api/v1/workflow-runs/{run_id}/notes", ws=ws, payload=payload)
    if answer.status == 422:
        return await _run_page(request, browser, run_id, ws, error=N_("Choose a cause and write the note."), status=422)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(run_url(run_id, ws, browser), status_code=303)


@router.get("/my-work")
async def my_work_page(request: Request, browser: WorkspaceDep):
    body = await body_or_none(request, browser, "/api/v1/my-work", vouch=True)
    names = {w.id: w.name for w, _ in browser.workspaces}
    return render(
        request,
        "my_work.html",
        {
            "nav": "my_work",
            "work": body,
            "buckets": BUCKETS,
            "names": names,
            "many": len(names) > 1,
            "link": lambda item: run_url(item["task"]["run_id"], item["workspace_id"], browser),
            "today": body["today"] if body else date.today().isoformat(),
            "query": urlencode,
        },
    )


# --- a step's reminders (a disclosure on the run page, loaded when opened) ----------------------------------

REMINDER_KINDS = {
    "due_48h": N_("Due in two days"),
    "due_24h": N_("Due tomorrow"),
    "overdue": N_("Overdue"),
    "escalated": N_("Escalated to the run's owner"),
}
REMINDER_STATES = {"pending": N_("Planned"), "sent": N_("Sent"), "cancelled": N_("Cancelled")}


@router.get("/runs/{run_id}/tasks/{task_id}/reminders")
async def task_reminders(run_id: int, task_id: int, request: Request, browser: WorkspaceDep):
    ws = _ws(request)
    answer = await tasks(request, browser, "GET", f"/api/v1/tasks/{task_id}/reminders", ws=ws, params={"limit": 50})
    if not answer.ok:
        raise refusal(answer)
    return render(
        request,
        "_task_reminders.html",
        {"reminders": answer.body["data"], "kinds": REMINDER_KINDS, "reminder_states": REMINDER_STATES},
    )
