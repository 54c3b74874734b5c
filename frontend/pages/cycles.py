"""Measurement cycles: the list (open one by hand), a cycle's review page, compare, printable view."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend import action_views, kpi_form
from frontend.backend import N_, SERVICE_DOWN, Down, call, get_or_none, int_or_none, is_htmx, people, refusal
from frontend.deps import WorkspaceDep
from frontend.templating import render
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()

PER_PAGE = 20
STATUSES = {"": N_("All cycles"), "open": N_("Open"), "closed": N_("Closed")}
PERIODS = {
    "current": N_("The current period (ends at the next measurement)"),
    "latest_ended": N_("The latest period that has ended"),
}
CHANGE_KINDS = {
    "technology": N_("Technology"),
    "content": N_("Content"),
    "channel": N_("Channel"),
    "way_of_working": N_("Way of working"),
}
OPEN_ERRORS = {
    "surface_id": N_("Choose a surface of this workspace."),
    "period": N_("No period of this surface has ended yet. Open the current period instead."),
    "period_start": N_("A cycle covers this period already."),
}
ITEM_ERRORS = {"note": N_("Write at most 4,000 characters."), "root_cause": N_("Write at most 4,000 characters.")}
FINDING_ERRORS = {
    "text": N_("Describe what was seen, in at most 4,000 characters."),
    "kpi_id": N_("Choose a KPI of this cycle, or none."),
    "change_kind": N_("Choose the kind of change this suggests."),
}
CLOSED_ERROR = N_("This cycle is closed and can no longer change.")


def filters_of(params: Any) -> dict[str, Any]:
    """The list's filters from the query; anything unknown falls back to the default."""
    surface = int_or_none(params.get("surface"))
    return {
        "surface": surface if surface and 0 < surface < 2**31 else None,
        "status": params.get("status") if params.get("status") in STATUSES else "",
        "page": max(1, min(int_or_none(params.get("page")) or 1, 10_000)),
    }


def list_query(filters: dict[str, Any], **changes: Any) -> str:
    merged = {**filters, **changes}
    pairs = {
        "surface": merged["surface"] or "",
        "status": merged["status"],
        "page": merged["page"] if merged["page"] > 1 else "",
    }
    return urlencode({k: v for k, v in pairs.items() if v})


async def _surfaces(request: Request, browser: BrowserContext) -> list[dict[str, Any]] | None:
    body = await get_or_none(request, browser, "/api/v1/surfaces", params={"limit": 500, "sort": "name"})
    return body.get("data") if isinstance(body, dict) else None


@router.get("/cycles")
async def cycles_page(request: Request, browser: WorkspaceDep):
    return await list_page(request, browser, filters_of(request.query_params))


async def list_page(
    request: Request,
    browser: BrowserContext,
    filters: dict[str, Any],
    *,
    form: dict | None = None,
    errors: dict | None = None,
    conflict: int | None = None,
    status: int = 200,
):
    params: dict[str, Any] = {"limit": PER_PAGE, "offset": (filters["page"] - 1) * PER_PAGE}
    if filters["surface"]:
        params["surface_id"] = filters["surface"]
    if filters["status"]:
        params["status"] = filters["status"]
    body = await get_or_none(request, browser, "/api/v1/cycles", params=params)
    rows, count = (body["data"], body["count"]) if isinstance(body, dict) else ([], 0)
    return render(
        request,
        "cycles.html",
        {
            "nav": "cycles",
            "filters": filters,
            "query": list_query,
            "rows": rows,
            "count": count,
            "pages": max(1, -(-count // PER_PAGE)),
            "down": body is None,
            "surfaces": await _surfaces(request, browser),
            "statuses": STATUSES,
            "periods": PERIODS,
            "form": form or {"surface_id": "", "period": "current"},
            "errors": errors or {},
            "conflict": conflict,
            "can_edit": browser.role.at_least(Role.editor),
        },
        status=status,
    )


@router.post("/cycles")
async def open_cycle(request: Request, browser: WorkspaceDep):
    data = await request.form()
    form = {"surface_id": str(data.get("surface_id") or ""), "period": str(data.get("period") or "current")}
    filters = filters_of({})
    payload = {
        "surface_id": int_or_none(form["surface_id"]),
        "period": form["period"] if form["period"] in PERIODS else "current",
    }
    try:
        answer = await call(request, browser, "POST", "/api/v1/cycles", payload=payload)
    except Down:
        return await list_page(request, browser, filters, form=form, errors={"": SERVICE_DOWN}, status=503)
    if answer.status in (404, 422):
        errors = answer.field_errors(OPEN_ERRORS) if answer.status == 422 else {"surface_id": OPEN_ERRORS["surface_id"]}
        return await list_page(request, browser, filters, form=form, errors=errors, status=422)
    if answer.status == 409:
        found = (
            re.search(r"\bCycle (\d+)\b", str(answer.body.get("detail", ""))) if isinstance(answer.body, dict) else None
        )
        existing = int(found.group(1)) if found else None
        return await list_page(request, browser, filters, form=form, conflict=existing or 0, status=409)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/cycles/{answer.body['id']}", status_code=303)


@router.get("/cycles/compare")
async def compare_page(request: Request, browser: WorkspaceDep):
    ids = [i for i in (int_or_none(v) for v in request.query_params.getlist("ids")) if i and 0 < i < 2**31][:12]
    comparison = None
    if ids:
        answer = await call(
            request,
            browser,
            "GET",
            "/api/v1/cycles/compare",
            params={"ids": ",".join(map(str, ids))},
        )
        if answer.status != 200:
            raise refusal(answer)
        comparison = answer.body
    body = await get_or_none(request, browser, "/api/v1/cycles", params={"limit": 100})
    return render(
        request,
        "cycle_compare.html",
        {
            "nav": "cycles",
            "comparison": comparison,
            "ids": ids,
            "columns": kpi_form.COLUMNS,
            "choices": body.get("data", []) if isinstance(body, dict) else [],
        },
    )


async def _cycle(request: Request, browser: BrowserContext, cycle_id: int) -> dict[str, Any]:
    answer = await call(request, browser, "GET", f"/api/v1/cycles/{cycle_id}")
    if answer.status != 200:
        raise refusal(answer)
    return answer.body


async def _previous(request: Request, browser: BrowserContext, cycle: dict[str, Any]) -> int | None:
    """The id of the surface's cycle just before this one, for a side-by-side comparison."""
    body = await get_or_none(
        request,
        browser,
        "/api/v1/cycles",
        params={"surface_id": cycle["surface_id"], "limit": 500, "sort": "-period_start"},
    )
    earlier = [c for c in (body or {}).get("data", []) if c["period_start"] < cycle["period_start"]]
    return earlier[0]["id"] if earlier else None


def _grouped(items: list[dict[str, Any]]) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    return [(key, label, hint, [i for i in items if i["category"] == key]) for key, label, hint in kpi_form.COLUMNS]


async def review_page(
    request: Request,
    browser: BrowserContext,
    cycle_id: int,
    *,
    errors: dict | None = None,
    forms: dict | None = None,
    blocked: list | None = None,
    notice: str | None = None,
    status: int = 200,
    template: str = "cycle.html",
):
    cycle = await _cycle(request, browser, cycle_id)
    members = await people(request, browser)
    return render(
        request,
        template,
        {
            "nav": "cycles",
            "previous": await _previous(request, browser, cycle),
            "cycle": cycle,
            "groups": _grouped(cycle["items"]),
            "people": members,
            "change_kinds": CHANGE_KINDS,
            "errors": errors or {},
            "forms": forms or {},
            "blocked": blocked,
            "notice": notice,
            "can_edit": browser.role.at_least(Role.editor) and cycle["status"] == "open",
            "kpi_names": {i["kpi_id"]: i["name"] for i in cycle["items"]},
            "can_act": browser.role.at_least(Role.editor),
            **await action_views.for_cycle(request, browser, cycle),
        },
        status=status,
    )


@router.get("/cycles/{cycle_id}")
async def cycle_page(request: Request, browser: WorkspaceDep, cycle_id: int, saved: str | None = None):
    return await review_page(request, browser, cycle_id, notice=saved if saved in ("closed", "opened") else None)


@router.get("/cycles/{cycle_id}/print")
async def print_page(request: Request, browser: WorkspaceDep, cycle_id: int):
    return await review_page(request, browser, cycle_id, template="cycle_print.html")


@router.post("/cycles/{cycle_id}/items/{kpi_id}")
async def review_item(request: Request, browser: WorkspaceDep, cycle_id: int, kpi_id: int):
    data = await request.form()
    form = {name: str(data.get(name) or "") for name in ("note", "root_cause")}
    answer = await call(request, browser, "PATCH", f"/api/v1/cycles/{cycle_id}/items/{kpi_id}", payload=form)
    if answer.status in (409, 422):
        errors = {"": CLOSED_ERROR} if answer.status == 409 else answer.field_errors(ITEM_ERRORS)
        cycle = await _cycle(request, browser, cycle_id) if is_htmx(request) else None
        item = next((i for i in cycle["items"] if i["kpi_id"] == kpi_id), None) if cycle else None
        if item is not None:
            return _item_response(
                request, browser, cycle, item, errors=errors, form=form, status=_shown(request, answer.status)
            )
        return await review_page(
            request, browser, cycle_id, errors={kpi_id: errors}, forms={kpi_id: form}, status=answer.status
        )
    if not answer.ok:
        raise refusal(answer)
    if not is_htmx(request):
        return RedirectResponse(f"/cycles/{cycle_id}#item-{kpi_id}", status_code=303)
    cycle = await _cycle(request, browser, cycle_id)
    return _item_response(request, browser, cycle, answer.body, saved=True)


def _shown(request: Request, status: int) -> int:
    """htmx swaps 422 but not 409: a closed cycle's answer comes as 200, so the message beside the form shows."""
    return 200 if status == 409 and is_htmx(request) else status


def _item_response(
    request: Request,
    browser: BrowserContext,
    cycle: dict,
    item: dict,
    *,
    errors: dict | None = None,
    form: dict | None = None,
    saved: bool = False,
    status: int = 200,
):
    """One KPI's row, and the close panel out of band (the count of missing root causes may have changed)."""
    return render(
        request,
        "_cycle_item.html",
        {
            "cycle": cycle,
            "i": item,
            "item_errors": errors or {},
            "item_form": form,
            "saved": saved,
            "oob": True,
            "can_edit": browser.role.at_least(Role.editor) and cycle["status"] == "open",
            "blocked": None,
        },
        status=status,
    )


@router.post("/cycles/{cycle_id}/findings")
async def add_finding(request: Request, browser: WorkspaceDep, cycle_id: int):
    data = await request.form()
    form = {name: str(data.get(name) or "").strip() for name in ("text", "kpi_id", "change_kind")}
    payload = {"text": form["text"], "kpi_id": int_or_none(form["kpi_id"]), "change_kind": form["change_kind"] or None}
    answer = await call(request, browser, "POST", f"/api/v1/cycles/{cycle_id}/findings", payload=payload)
    if answer.status in (409, 422):
        errors = {"": CLOSED_ERROR} if answer.status == 409 else answer.field_errors(FINDING_ERRORS)
        return await review_page(
            request,
            browser,
            cycle_id,
            errors={"finding": errors},
            forms={"finding": form},
            status=_shown(request, answer.status),
        )
    if not answer.ok:
        raise refusal(answer)
    if not is_htmx(request):
        return RedirectResponse(f"/cycles/{cycle_id}#findings", status_code=303)
    return await review_page(request, browser, cycle_id, notice="finding")


@router.post("/cycles/{cycle_id}/findings/{finding_id}")
async def edit_finding(request: Request, browser: WorkspaceDep, cycle_id: int, finding_id: int):
    data = await request.form()
    form = {name: str(data.get(name) or "").strip() for name in ("text", "kpi_id", "change_kind")}
    payload = {"text": form["text"], "kpi_id": int_or_none(form["kpi_id"]), "change_kind": form["change_kind"] or None}
    answer = await call(
        request,
        browser,
        "PATCH",
        f"/api/v1/cycles/{cycle_id}/findings/{finding_id}",
        payload=payload,
    )
    if answer.status in (409, 422):
        errors = {"": CLOSED_ERROR} if answer.status == 409 else answer.field_errors(FINDING_ERRORS)
        key = f"finding-{finding_id}"
        return await review_page(
            request, browser, cycle_id, errors={key: errors}, forms={key: form}, status=_shown(request, answer.status)
        )
    if not answer.ok:
        raise refusal(answer)
    if not is_htmx(request):
        return RedirectResponse(f"/cycles/{cycle_id}#finding-{finding_id}", status_code=303)
    return await review_page(request, browser, cycle_id)


@router.post("/cycles/{cycle_id}/findings/{finding_id}/delete")
async def delete_finding(request: Request, browser: WorkspaceDep, cycle_id: int, finding_id: int):
    answer = await call(request, browser, "DELETE", f"/api/v1/cycles/{cycle_id}/findings/{finding_id}")
    if not answer.ok and answer.status != 409:
        raise refusal(answer)
    if not is_htmx(request):
        return RedirectResponse(f"/cycles/{cycle_id}#findings", status_code=303)
    return await review_page(
        request, browser, cycle_id, errors={"finding": {"": CLOSED_ERROR}} if answer.status == 409 else None
    )


@router.post("/cycles/{cycle_id}/close")
async def close_cycle(request: Request, browser: WorkspaceDep, cycle_id: int):
    answer = await call(request, browser, "POST", f"/api/v1/cycles/{cycle_id}/close")
    if answer.status == 422:
        fields = [e.get("field", "") for e in (answer.body or {}).get("errors", [])]
        lacking = [int_or_none(f.split(".")[1]) for f in fields if f.startswith("items.")]
        return await review_page(request, browser, cycle_id, blocked=[k for k in lacking if k], status=422)
    if not answer.ok and answer.status != 409:
        raise refusal(answer)
    return RedirectResponse(f"/cycles/{cycle_id}?saved=closed", status_code=303)


@router.post("/cycles/{cycle_id}/refresh")
async def refresh_cycle(request: Request, browser: WorkspaceDep, cycle_id: int):
    answer = await call(request, browser, "POST", f"/api/v1/cycles/{cycle_id}/refresh")
    if not answer.ok and answer.status != 409:
        raise refusal(answer)
    return RedirectResponse(f"/cycles/{cycle_id}", status_code=303)


@router.post("/cycles/{cycle_id}/delete")
async def delete_cycle(request: Request, browser: WorkspaceDep, cycle_id: int):
    answer = await call(request, browser, "DELETE", f"/api/v1/cycles/{cycle_id}")
    if answer.status == 409:
        return RedirectResponse(f"/cycles/{cycle_id}", status_code=303)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse("/cycles", status_code=303)
