"""The action list: the list (quick wins first), making an action (from a finding in one step), an action's
page with its history and effect, status changes, the evaluation, and the printable list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend import action_views, sparkline
from frontend.action_views import QUADRANTS, STATUS_MOVES, STATUSES, VERDICTS
from frontend.backend import N_, call, get_or_none, int_or_none, people, refusal
from frontend.deps import WorkspaceDep
from frontend.pages.cycles import CHANGE_KINDS
from frontend.templating import render, templates
from gateway.auth import BrowserContext
from kit.errors import NotFound
from kit.roles import Role

router = APIRouter()
sparkline.install(templates.env)
templates.env.globals["action_matrix"] = action_views.matrix
templates.env.globals["kpi_chart"] = action_views.kpi_chart
LIST_FILTERS = {"": N_("All open and done"), "open": N_("Open"), "done": N_("Done"), "dropped": N_("Dropped")}
FILTER_STATUSES = {
    "": ["idea", "planned", "in_progress", "done", "evaluated"],
    "open": ["idea", "planned", "in_progress"],
    "done": ["done", "evaluated"],
    "dropped": ["dropped"],
}
TEXT = ("title", "description", "hypothesis", "change_kind", "expected_direction", "expected_unit", "effort_size")
NUMBERS = ("expected_size", "baseline_value", "effort_hours", "cost")
IDS = ("kpi_id", "surface_id", "goal_id", "finding_id", "owner_id", "period_id", "evaluation_periods", "gain")
SCORES = ("reach", "rice_confidence", "ice_impact", "ice_confidence", "ice_ease")
ERRORS = {
    "title": N_("Give the action a title of at most 200 characters."),
    "kpi_id": N_("Choose a KPI of this workspace."),
    "goal_id": N_("Choose a goal of this workspace."),
    "surface_id": N_("Choose a surface of this workspace."),
    "period_id": N_("Choose a planning period of this workspace."),
    "gain": N_("Gain is a whole number from 1 to 5."),
    "effort_hours": N_("Effort is a number of hours, 0 or more."),
    "status": N_("The action cannot move to that status from where it is."),
    "reason": N_("Say why the action is dropped."),
    "done_on": N_("The done date cannot be in the future."),
    "verdict": N_("Only a done action can be evaluated."),
}


def labels() -> dict[str, Any]:
    return {
        "statuses": STATUSES,
        "quadrants": QUADRANTS,
        "verdicts": VERDICTS,
        "change_kinds": CHANGE_KINDS,
        "status_moves": STATUS_MOVES,
    }


async def _list(request: Request, browser: BrowserContext, key: str, sort: str | None) -> list[dict] | None:
    params: dict[str, Any] = {"status": FILTER_STATUSES[key]}
    if sort:
        params["sort"] = sort
    return await action_views.actions(request, browser, **params)


@router.get("/actions")
async def list_page(request: Request, browser: WorkspaceDep):
    key = request.query_params.get("show", "")
    key = key if key in LIST_FILTERS else ""
    rows = await _list(request, browser, key, None)
    return render(
        request,
        "actions.html",
        {"nav": "actions", "rows": rows or [], "down": rows is None, "show": key, "filters": LIST_FILTERS,
         "can_edit": browser.role.at_least(Role.editor), **labels()},
    )  # fmt: skip


@router.get("/actions/print")
async def print_page(request: Request, browser: WorkspaceDep):
    rows = await _list(request, browser, "", None)
    return render(
        request, "actions_print.html", {"rows": rows or [], "people": await people(request, browser), **labels()}
    )


async def _choices(request: Request, browser: BrowserContext) -> dict[str, Any]:
    """The selects of the action form: KPIs, surfaces, goals, periods and people."""

    async def rows(path: str, **params: Any) -> list[dict]:
        body = await get_or_none(request, browser, path, params={"limit": 500, **params})
        return body.get("data", []) if isinstance(body, dict) else []

    return {
        "kpis": await rows("/api/v1/kpis", sort="name"),
        "surfaces": await rows("/api/v1/surfaces", sort="name"),
        "goals": await rows("/api/v1/goals"),
        "periods": await rows("/api/v1/periods"),
        "people": await people(request, browser),
        "record": {
            r["change_kind"]: r
            for r in ((await get_or_none(request, browser, "/api/v1/actions/track-record")) or {}).get("data", [])
        },  # fmt: skip
    }


async def from_finding(request: Request, browser: BrowserContext, finding_id: int | None) -> dict[str, str]:
    """The form filled from a finding: its text, kind, KPI, surface and the cycle's figure as the baseline."""
    if not finding_id:
        return {"change_kind": "content", "expected_direction": "up", "expected_unit": "percent"}
    body = await get_or_none(request, browser, "/api/v1/cycles/findings", params={"ids": finding_id})
    finding = next((f for f in (body or {}).get("data", []) if f["id"] == finding_id), None)
    if finding is None:
        raise NotFound(f"No finding {finding_id} in this workspace.")
    cycle = await get_or_none(request, browser, f"/api/v1/cycles/{finding['cycle_id']}")
    item = next((i for i in (cycle or {}).get("items", []) if i["kpi_id"] == finding.get("kpi_id")), {})
    return {
        "title": finding["text"][:200],
        "change_kind": finding["change_kind"],
        "kpi_id": str(finding.get("kpi_id") or ""),
        "surface_id": str(finding.get("surface_id") or ""),
        "finding_id": str(finding_id),
        "baseline_value": "" if item.get("value") is None else str(item["value"]),
        "expected_direction": "down" if item.get("direction") == "lower_is_better" else "up",
        "expected_unit": "percent",
        "finding_text": finding["text"],
    }


# The kind of change a complaint's category usually asks for.
CHANGE_OF_CATEGORY = {
    "product": "content",
    "overselling": "content",
    "price": "content",
    "website_app": "technology",
    "staff_service": "way_of_working",
    "internal_communication": "way_of_working",
    "delivery": "way_of_working",
}


async def from_feedback(request: Request, browser: BrowserContext, item_id: int) -> dict[str, str]:
    """The form filled from a feedback item: its text, the kind of change its category asks for, its surface, and
    the complaints KPI of its category (else all complaints) to move down."""
    answer = await call(request, browser, "GET", f"/api/v1/feedback/{item_id}")
    if not answer.ok:
        raise refusal(answer)
    item = answer.body
    categories = await get_or_none(request, browser, "/api/v1/feedback/categories") or []
    category = next((c for c in categories if c["id"] == item.get("category_id")), None)
    specs = await get_or_none(request, browser, "/api/v1/feedback/kpis") or []
    complaints = [s for s in specs if s["measure"] == "complaints" and s["channel"] is None]
    kpi = next((s for s in complaints if category and s["category_id"] == category["id"]), None)
    kpi = kpi or next((s for s in complaints if s["category_id"] is None), None)
    text = item["text"]
    return {
        "title": text[:200],
        "description": text[:4000],
        "change_kind": CHANGE_OF_CATEGORY.get((category or {}).get("key") or "", "way_of_working"),
        "kpi_id": str(kpi["kpi_id"]) if kpi else "",
        "surface_id": str(item.get("surface_id") or ""),
        "expected_direction": "down",
        "expected_unit": "percent",
        "feedback_item_ids": str(item_id),
        "feedback_text": text,
    }


async def form_page(request: Request, browser: BrowserContext, form: dict, errors: dict | None = None, status=200):
    return render(
        request,
        "action_new.html",
        {"nav": "actions", "form": form, "errors": errors or {}, **await _choices(request, browser), **labels()},
        status=status,
    )


@router.get("/actions/new")
async def new_page(request: Request, browser: WorkspaceDep):
    item_id = int_or_none(request.query_params.get("feedback"))
    if item_id:
        return await form_page(request, browser, await from_feedback(request, browser, item_id))
    return await form_page(
        request, browser, await from_finding(request, browser, int_or_none(request.query_params.get("finding")))
    )


def payload_of(form: dict[str, str]) -> dict[str, Any]:
    """The API body from the form's strings: empty fields are left out."""
    out: dict[str, Any] = {k: form[k] for k in TEXT if form.get(k)}
    for k in NUMBERS:
        if form.get(k):
            try:
                out[k] = float(form[k].replace(",", "."))
            except ValueError:
                out[k] = form[k]  # the service names the field
    for k in (*IDS, *SCORES):
        if form.get(k):
            out[k] = int_or_none(form[k]) if int_or_none(form[k]) is not None else form[k]
    if form.get("rice_impact"):
        out["rice_impact"] = float(form["rice_impact"])
    if form.get("feedback_item_ids"):
        ids = [int_or_none(part) for part in form["feedback_item_ids"].split(",")]
        out["feedback_item_ids"] = [i for i in ids if i is not None]
    if out.get("period_id"):
        out["status"] = "planned"
    return out


@router.post("/actions")
async def create(request: Request, browser: WorkspaceDep):
    data = await request.form()
    form = {k: str(v).strip() for k, v in data.items() if k != "csrf_token"}
    answer = await call(request, browser, "POST", "/api/v1/actions", payload=payload_of(form))
    if answer.status == 422:
        return await form_page(request, browser, form, answer.field_errors(ERRORS), status=422)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/actions/{answer.body['id']}", status_code=303)


async def detail_page(request: Request, browser: BrowserContext, action_id: int, errors=None, status=200):
    answer = await call(request, browser, "GET", f"/api/v1/actions/{action_id}")
    if answer.status != 200:
        raise refusal(answer)
    action = answer.body
    effect = None
    if action["status"] in ("done", "evaluated"):
        effect = await get_or_none(request, browser, f"/api/v1/actions/{action_id}/effect")
    periods = await get_or_none(request, browser, "/api/v1/periods", params={"limit": 500})
    return render(
        request,
        "action.html",
        {
            "nav": "actions", "a": action, "effect": effect, "errors": errors or {},
            "people": await people(request, browser), "periods": (periods or {}).get("data", []),
            "can_edit": browser.role.at_least(Role.editor), "today": browser.principal.today().isoformat(),
            "feedback_items": await _feedback_items(request, browser, action.get("feedback_item_ids") or []),
            **labels(),
        },
        status=status,
    )  # fmt: skip


async def _feedback_items(request: Request, browser: BrowserContext, ids: list[int]) -> list[dict]:
    """The feedback items an action came from (those still there), for the links back."""
    if not ids:
        return []
    body = await get_or_none(
        request, browser, "/api/v1/feedback", params={"ids": ",".join(map(str, ids)), "limit": 100}
    )
    return body.get("data", []) if isinstance(body, dict) else []


@router.get("/actions/{action_id}")
async def action_page(request: Request, browser: WorkspaceDep, action_id: int):
    return await detail_page(request, browser, action_id)


@router.post("/actions/{action_id}/status")
async def change_status(request: Request, browser: WorkspaceDep, action_id: int):
    data = await request.form()
    payload = {"status": str(data.get("status") or "")}
    if data.get("reason"):
        payload["reason"] = str(data["reason"])
    if data.get("done_on"):
        payload["done_on"] = str(data["done_on"])
    answer = await call(request, browser, "POST", f"/api/v1/actions/{action_id}/status", payload=payload)
    return await _after(request, browser, action_id, answer)


@router.post("/actions/{action_id}/evaluation")
async def evaluate(request: Request, browser: WorkspaceDep, action_id: int):
    data = await request.form()
    payload = {"verdict": str(data.get("verdict") or ""), "note": str(data.get("note") or "") or None}
    answer = await call(request, browser, "POST", f"/api/v1/actions/{action_id}/evaluation", payload=payload)
    return await _after(request, browser, action_id, answer)


async def _after(request: Request, browser: BrowserContext, action_id: int, answer):
    if answer.status == 422:
        return await detail_page(request, browser, action_id, errors=answer.field_errors(ERRORS), status=422)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/actions/{action_id}", status_code=303)  # htmx follows: the pushed URL is the page
