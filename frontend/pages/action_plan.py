"""Planning the action list: the priority matrix (plan into a period from it, by htmx), the planning periods
with their capacity, the team's track record, and the findings that still have no action."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend import action_views
from frontend.backend import N_, call, get_or_none, int_or_none, is_htmx, refusal
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


@router.get("/periods/{period_id}")
async def period_page(request: Request, browser: WorkspaceDep, period_id: int):
    answer = await call(request, browser, "GET", f"/api/v1/periods/{period_id}/plan")
    if answer.status != 200:
        raise refusal(answer)
    others = [p for p in await _periods(request, browser) if p["id"] != period_id and not p.get("archived")]
    return render(
        request,
        "period.html",
        {"nav": "actions", "p": answer.body, "others": others, "can_edit": browser.role.at_least(Role.editor),
         **labels()},
    )  # fmt: skip


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
