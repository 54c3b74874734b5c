"""Planning the action list: the priority matrix (plan into a period from it, by htmx), the planning periods
with their capacity, the team's track record, and the findings that still have no action."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend import action_views
from frontend.backend import FORM_PROBLEM, N_, call, get_or_none, int_or_none, is_htmx, people, refusal
from frontend.deps import WorkspaceDep
from frontend.pages.actions import labels
from frontend.templating import render
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()
MATRIX_SORTS = {
    "": N_("Quick wins first"),
    "-rice_score": N_("RICE score"),
    "-ice_score": N_("ICE score"),
    "effort_hours": N_("Least effort"),
    "-gain": N_("Most gain"),
}


async def _periods(request: Request, browser: BrowserContext) -> list[dict[str, Any]]:
    body = await get_or_none(request, browser, "/api/v1/periods", params={"limit": 500})
    loads = await get_or_none(request, browser, "/api/v1/actions/capacity")
    by_id = {x["period_id"]: x for x in loads or []}
    return [{**p, "load": by_id.get(p["id"])} for p in (body or {}).get("data", [])]


async def matrix_page(request: Request, browser: BrowserContext, sort: str = "", notice: str | None = None):
    params = {"limit": 500, **({"sort": sort} if sort else {})}
    body = await get_or_none(request, browser, "/api/v1/actions/matrix", params=params)
    return render(
        request,
        "action_matrix.html",
        {
            "nav": "actions", "m": body, "down": body is None, "sort": sort, "sorts": MATRIX_SORTS,
            "periods": await _periods(request, browser), "notice": notice,
            "can_edit": browser.role.at_least(Role.editor), **labels(),
        },
    )  # fmt: skip


@router.get("/actions/matrix")
async def matrix(request: Request, browser: WorkspaceDep):
    sort = request.query_params.get("sort", "")
    return await matrix_page(request, browser, sort if sort in MATRIX_SORTS else "")


@router.post("/actions/{action_id}/plan")
async def plan(request: Request, browser: WorkspaceDep, action_id: int):
    data = await request.form()
    payload = {"period_id": int_or_none(str(data.get("period_id") or ""))}
    answer = await call(request, browser, "POST", f"/api/v1/actions/{action_id}/plan", payload=payload)
    if not answer.ok and answer.status != 422:
        raise refusal(answer)
    back = str(data.get("back") or "matrix")
    if back == "matrix":
        sort = str(data.get("sort") or "")
        if is_htmx(request):
            return await matrix_page(request, browser, sort if sort in MATRIX_SORTS else "", notice="planned")
        return RedirectResponse(f"/actions/matrix{'?sort=' + sort if sort else ''}", status_code=303)
    return RedirectResponse(f"/actions/{action_id}", status_code=303)


@router.get("/periods")
async def periods_page(request: Request, browser: WorkspaceDep):
    return render(request, "periods.html", {"nav": "actions", "periods": await _periods(request, browser)})


CAPACITY_ERRORS = {
    "capacity_hours": N_("Give the hours as a number, 0 or more, or leave the field empty."),
    "person": N_("Give the hours as a number, 0 or more, or leave the field empty."),
}


async def period_view(
    request: Request, browser: BrowserContext, period_id: int, form=None, errors=None, status=200, notice=None
):
    """A period's page: its load, each person's against their own hours, its actions by status, the capacity form."""
    answer = await call(request, browser, "GET", f"/api/v1/periods/{period_id}/plan")
    if answer.status != 200:
        raise refusal(answer)
    plan = answer.body
    members = await people(request, browser)
    if form is None:
        capacity = await get_or_none(request, browser, f"/api/v1/periods/{period_id}/capacity") or {}
        form = {"capacity_hours": _hours(capacity.get("capacity_hours"))}
        form.update({f"hours_{p['owner_id']}": _hours(p["capacity_hours"]) for p in capacity.get("people", [])})
    others = [p for p in await _periods(request, browser) if p["id"] != period_id and not p.get("archived")]
    return render(
        request,
        "period.html",
        {"nav": "actions", "p": plan, "others": others, "can_edit": browser.role.at_least(Role.editor),
         "people": members, "form": form, "errors": errors or {}, "notice": notice, **labels()},
        status=status,
    )  # fmt: skip


def _hours(value: Any) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _number(text: str) -> Any:
    try:
        return float(text.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        return text  # the service names the field


@router.get("/periods/{period_id}")
async def period_page(request: Request, browser: WorkspaceDep, period_id: int):
    return await period_view(request, browser, period_id)


@router.post("/periods/{period_id}/capacity")
async def set_capacity(request: Request, browser: WorkspaceDep, period_id: int):
    """The team's hours and each member's (an empty field: no hours of their own), set in one write."""
    data = await request.form()
    form = {k: str(v).strip() for k, v in data.items() if k != "csrf_token"}
    members = list(await people(request, browser))
    sent = [m for m in members if form.get(f"hours_{m}")]
    before = await get_or_none(request, browser, f"/api/v1/periods/{period_id}/capacity") or {}
    kept = [p for p in before.get("people", []) if p["owner_id"] not in members]  # former members: not in the form
    payload = {
        "capacity_hours": _number(form["capacity_hours"]) if form.get("capacity_hours") else None,
        "people": [{"owner_id": m, "capacity_hours": _number(form[f"hours_{m}"])} for m in sent] + kept,
    }
    answer = await call(request, browser, "PUT", f"/api/v1/periods/{period_id}/capacity", payload=payload)
    if answer.status == 422:
        errors: dict[str, str] = {}
        for item in (answer.body or {}).get("errors") or [{}]:
            parts = str(item.get("field") or "").split(".")
            if parts[0] == "people" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(sent):
                errors[f"hours_{sent[int(parts[1])]}"] = CAPACITY_ERRORS["person"]
            elif parts[0] == "capacity_hours":
                errors["capacity_hours"] = CAPACITY_ERRORS["capacity_hours"]
            else:
                errors[""] = FORM_PROBLEM
        return await period_view(request, browser, period_id, form=form, errors=errors, status=422)
    if not answer.ok:
        raise refusal(answer)
    if is_htmx(request):
        return await period_view(request, browser, period_id, notice="saved")
    return RedirectResponse(f"/periods/{period_id}", status_code=303)


@router.get("/actions/track-record")
async def track_record(request: Request, browser: WorkspaceDep):
    body = await get_or_none(request, browser, "/api/v1/actions/track-record")
    return render(request, "action_record.html", {"nav": "actions", "rows": (body or {}).get("data"), **labels()})


@router.get("/cycles/findings")
async def findings_page(request: Request, browser: WorkspaceDep):
    without = request.query_params.get("without") == "1"
    body = await get_or_none(request, browser, "/api/v1/cycles/findings", params={"limit": 200})
    rows = (body or {}).get("data", [])
    made = (
        await action_views.actions(request, browser, finding_ids=",".join(str(f["id"]) for f in rows)) if rows else []
    )
    by_finding = {a["finding_id"]: a for a in made or []}
    if without:
        rows = [f for f in rows if f["id"] not in by_finding]
    return render(
        request,
        "findings.html",
        {"nav": "cycles", "rows": rows, "by_finding": by_finding, "without": without, "down": body is None,
         "can_edit": browser.role.at_least(Role.editor), **labels()},
    )  # fmt: skip
