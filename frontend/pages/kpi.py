"""One KPI's page: figures and status, the edit form, the targets editor, manual entry and recent observations."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from frontend import action_views, kpi_form
from frontend.backend import (
    FORM_PROBLEM,
    N_,
    SERVICE_DOWN,
    Answer,
    Down,
    call,
    get_or_none,
    int_or_none,
    is_htmx,
    people,
    refusal,
)
from frontend.deps import WorkspaceDep
from frontend.templating import render
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()

LABELS = {
    "units": kpi_form.UNITS,
    "directions": kpi_form.DIRECTIONS,
    "aggregations": kpi_form.AGGREGATIONS,
    "categories": kpi_form.CATEGORIES,
    "category_hints": kpi_form.CATEGORY_HINTS,
    "frequencies": kpi_form.FREQUENCIES,
    "threshold_modes": kpi_form.THRESHOLD_MODES,
    "sources": kpi_form.SOURCES,
    "kept_sources": kpi_form.KEPT_SOURCES,
    "presets": kpi_form.PRESETS,
}
PERIODS = {"day": N_("Day"), "week": N_("Week (from Monday)"), "month": N_("Month")}
OBS_PER_PAGE = 20
TARGET_FIELDS = ("period_start", "period_end", "target", "band_low", "band_high")
TARGET_ERRORS = {
    "period_start": N_("Enter the first day. Periods of two targets must not overlap."),
    "period_end": N_("The period must end on or after the day it starts."),
    "target": N_("Enter the target as a number."),
    "band_low": N_("Enter the band's bottom as a number, or leave it empty."),
    "band_high": N_("The band's top must be a number not below its bottom."),
}
OVERLAP = N_("This period overlaps the period of another target.")
ENTRY_ERRORS = {
    "period": N_("Choose day, week or month."),
    "period_start": N_("Enter a day in the period."),
    "value": N_("Enter the value as a number, for example 1200 or 3.5."),
    "note": N_("Use at most 2,000 characters."),
    "kpi_id": N_("This KPI cannot take values: it may have been archived."),
}
NOTICES = ("saved", "targets", "added", "replaced", "deleted", "archive", "restore", "taken", "in_use")


async def surfaces(request: Request, browser: BrowserContext) -> dict[int, dict[str, Any]]:
    """The workspace's surfaces by id (archived ones too, so old KPIs still name theirs)."""
    body = await get_or_none(
        request, browser, "/api/v1/surfaces", params={"archived": "all", "limit": 500, "sort": "name"}
    )
    return {s["id"]: s for s in body["data"]} if isinstance(body, dict) else {}


@router.get("/kpis/{kpi_id}")
async def kpi_detail(request: Request, browser: WorkspaceDep, kpi_id: int, notice: str | None = None):
    return await detail_page(request, browser, kpi_id, notice=notice if notice in NOTICES else None)


@router.post("/kpis/{kpi_id}")
async def edit_kpi(request: Request, browser: WorkspaceDep, kpi_id: int):
    form = kpi_form.read(await request.form())
    kpi = await _kpi(request, browser, kpi_id)
    try:
        answer = await call(
            request,
            browser,
            "PATCH",
            f"/api/v1/kpis/{kpi_id}",
            payload=kpi_form.payload(form, creating=False, formula_known="formula" in kpi),
        )
    except Down:
        return await detail_page(request, browser, kpi_id, form=form, errors={"": SERVICE_DOWN}, status=503)
    if answer.status in (409, 422):
        return await detail_page(request, browser, kpi_id, form=form, errors=kpi_form.errors(answer), status=422)
    return await _done(request, browser, kpi_id, answer, "saved")


@router.post("/kpis/{kpi_id}/targets")
async def save_targets(request: Request, browser: WorkspaceDep, kpi_id: int):
    data = await request.form()
    rows = read_targets(data)
    action = str(data.get("action", "save"))
    if action == "add":
        rows.append(dict.fromkeys(TARGET_FIELDS, ""))
        return await detail_page(request, browser, kpi_id, targets=rows, focus=f"target-row-{len(rows) - 1}")
    if action.startswith("remove:"):
        index = int_or_none(action.split(":", 1)[1])
        rows = [r for i, r in enumerate(rows) if i != index]
        return await detail_page(request, browser, kpi_id, targets=rows, focus="targets-heading")
    items = [r for r in rows if any(r.values())]
    try:
        answer = await call(
            request,
            browser,
            "PUT",
            f"/api/v1/kpis/{kpi_id}/targets",
            payload=[_target_payload(r) for r in items],
        )
    except Down:
        return await detail_page(request, browser, kpi_id, targets=items, target_errors={-1: SERVICE_DOWN}, status=503)
    if answer.status == 422:
        return await detail_page(
            request, browser, kpi_id, targets=items, target_errors=target_errors(answer), status=422
        )
    return await _done(request, browser, kpi_id, answer, "targets")


@router.post("/kpis/{kpi_id}/observations")
async def enter_value(request: Request, browser: WorkspaceDep, kpi_id: int):
    data = await request.form()
    entry = {f: str(data.get(f, "")).strip() for f in ("period", "period_start", "value", "note")}
    body: dict[str, Any] = {
        "kpi_id": kpi_id,
        "period": entry["period"] or None,
        "source": "manual",
        "period_start": snap(entry["period"], entry["period_start"]) or None,
        "value": kpi_form.number(entry["value"]) if entry["value"] else None,
        "note": entry["note"] or None,
    }
    try:
        answer = await call(request, browser, "POST", "/api/v1/observations", payload=body)
    except Down:
        return await detail_page(request, browser, kpi_id, entry=entry, entry_errors={"": SERVICE_DOWN}, status=503)
    if answer.status == 422:
        return await detail_page(
            request, browser, kpi_id, entry=entry, entry_errors=answer.field_errors(ENTRY_ERRORS), status=422
        )
    return await _done(request, browser, kpi_id, answer, "replaced" if answer.status == 200 else "added")


@router.post("/kpis/{kpi_id}/observations/{observation_id}/delete")
async def delete_value(request: Request, browser: WorkspaceDep, kpi_id: int, observation_id: int):
    await _kpi(request, browser, kpi_id)  # a foreign KPI is the not-found page, whatever the observation
    answer = await call(request, browser, "DELETE", f"/api/v1/observations/{observation_id}")
    return await _done(request, browser, kpi_id, answer, "deleted")


async def _done(request: Request, browser: BrowserContext, kpi_id: int, answer: Answer, notice: str):
    if not answer.ok:
        raise refusal(answer)
    if not is_htmx(request):
        return RedirectResponse(f"/kpis/{kpi_id}?notice={notice}", status_code=303)
    return await detail_page(request, browser, kpi_id, notice=notice)


def snap(period: str, text: str) -> str:
    """The first day of the week (Monday) or month holding the typed day; the text unchanged if it is no date."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return text
    if period == "week":
        day -= timedelta(days=day.weekday())
    elif period == "month":
        day = day.replace(day=1)
    return day.isoformat()


def read_targets(data: FormData) -> list[dict[str, str]]:
    """The editor's rows as submitted (parallel lists, one entry a row)."""
    columns = {f: [str(v).strip() for v in data.getlist(f)] for f in TARGET_FIELDS}
    count = max((len(v) for v in columns.values()), default=0)
    return [{f: (columns[f][i] if i < len(columns[f]) else "") for f in TARGET_FIELDS} for i in range(count)]


def _target_payload(row: dict[str, str]) -> dict[str, Any]:
    end = row["period_end"] or row["period_start"]  # one target by a date: the period is that day
    low, high, target = (kpi_form.number(row[f]) if row[f] else None for f in ("band_low", "band_high", "target"))
    if target is None and isinstance(low, float) and isinstance(high, float):
        target = (low + high) / 2  # a band's target is its middle unless given
    return {
        "period_start": row["period_start"] or None,
        "period_end": end or None,
        "target": target,
        "band_low": low,
        "band_high": high,
    }


def target_errors(answer: Answer) -> dict[int, str]:
    """Row index → message from a 422 ("targets.2.period_start" or "2.target"); -1 for the whole editor."""
    out: dict[int, str] = {}
    problems = answer.body.get("errors") if isinstance(answer.body, dict) else None
    for item in problems or [{}]:
        parts = str(item.get("field") or "").split(".")
        index = next((int(p) for p in parts if p.isdigit()), -1)
        field = parts[-1]
        message = OVERLAP if "overlap" in str(item.get("detail")) else TARGET_ERRORS.get(field, FORM_PROBLEM)
        out.setdefault(index, message)
    return out


def _target_rows(found: Any) -> list[dict[str, str]]:
    items = found if isinstance(found, list) else []
    return [{f: kpi_form.as_text(t.get(f)) for f in TARGET_FIELDS} for t in items]


def blank_entry(kpi: dict[str, Any], today: date) -> dict[str, str]:
    """Manual entry for the KPI's own period (a quarterly KPI is entered by month), starting today's period."""
    period = kpi.get("expected_frequency") if kpi.get("expected_frequency") in PERIODS else "month"
    return {"period": period, "period_start": snap(period, today.isoformat()), "value": "", "note": ""}


async def _kpi(request: Request, browser: BrowserContext, kpi_id: int) -> dict[str, Any]:
    answer = await call(request, browser, "GET", f"/api/v1/kpis/{kpi_id}")
    if answer.status != 200:
        raise refusal(answer)
    return answer.body


def input_ids(kpi: dict[str, Any]) -> list[int]:
    """The ids of a derived KPI's inputs, whether the API lists ids or objects."""
    out = []
    for item in kpi.get("inputs") or []:
        value = item.get("id", item.get("kpi_id")) if isinstance(item, dict) else item
        if isinstance(value, int):
            out.append(value)
    return out


ACTIVITY_MEASURES = {
    "runs_finished": N_("Workflow runs finished"),
    "tasks_done": N_("Tasks done"),
    "tasks_on_time": N_("Share of tasks done on time"),
    "hours_logged": N_("Hours logged on tasks"),
    "action_cost": N_("Cost of the actions done"),
}
ACTIVITY_ERROR = N_("Choose what the values come from; only runs finished and hours can be of one workflow.")


async def _activity(request: Request, browser: BrowserContext, kpi_id: int) -> dict[str, Any]:
    """The KPI's activity source (or None) and the workflows it may name."""
    source = await get_or_none(request, browser, f"/api/v1/activity/kpis/{kpi_id}")
    listed = await get_or_none(request, browser, "/api/v1/workflows", params={"limit": 200})
    templates = {w["id"]: w["name"] for w in (listed or {}).get("data", []) if isinstance(w, dict)}
    return {"activity": source, "activity_templates": templates, "activity_measures": ACTIVITY_MEASURES}


@router.post("/kpis/{kpi_id}/activity")
async def set_activity(kpi_id: int, request: Request, browser: WorkspaceDep):
    """Feed the KPI by a figure of Effekt's own work, or stop feeding it."""
    form = await request.form()
    measure = str(form.get("measure") or "")
    if not measure:
        answer = await call(request, browser, "DELETE", f"/api/v1/activity/kpis/{kpi_id}")
    else:
        payload = {"measure": measure, "template_id": int_or_none(form.get("template_id"))}
        answer = await call(request, browser, "PUT", f"/api/v1/activity/kpis/{kpi_id}", payload=payload)
    if answer.status == 422:
        return await detail_page(request, browser, kpi_id, activity_error=ACTIVITY_ERROR, status=422)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/kpis/{kpi_id}#kpi-activity", status_code=303)


async def kpi_names(request: Request, browser: BrowserContext, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    body = await get_or_none(
        request,
        browser,
        "/api/v1/kpis",
        params={"ids": ",".join(map(str, ids[:500])), "archived": "all", "limit": 500},
    )
    return {k["id"]: k["name"] for k in body.get("data", [])} if isinstance(body, dict) else {}


async def _observations(request: Request, browser: BrowserContext, kpi_id: int, page: int) -> dict[str, Any] | None:
    return await get_or_none(
        request,
        browser,
        "/api/v1/observations",
        params={"kpi_id": kpi_id, "sort": "-period_start", "limit": OBS_PER_PAGE, "offset": (page - 1) * OBS_PER_PAGE},
    )


async def detail_page(
    request: Request,
    browser: BrowserContext,
    kpi_id: int,
    *,
    form: dict | None = None,
    errors: dict | None = None,
    targets: list | None = None,
    target_errors: dict | None = None,
    entry: dict | None = None,
    entry_errors: dict | None = None,
    notice: str | None = None,
    focus: str | None = None,
    activity_error: str | None = None,
    status: int = 200,
):
    kpi = await _kpi(request, browser, kpi_id)
    page = max(1, min(int_or_none(request.query_params.get("obs")) or 1, 10_000))
    observations = await _observations(request, browser, kpi_id, page)
    if targets is None:
        targets = _target_rows(await get_or_none(request, browser, f"/api/v1/kpis/{kpi_id}/targets"))
    inputs = input_ids(kpi)
    obs_count = observations.get("count", 0) if isinstance(observations, dict) else 0
    return render(
        request,
        "kpi.html",
        {
            "nav": "kpis",
            "kpi": kpi,
            "people": await people(request, browser),
            "surfaces": await surfaces(request, browser),
            "form": form or kpi_form.of_kpi(kpi),
            "errors": errors or {},
            "targets": targets,
            "target_errors": target_errors or {},
            "entry": entry or blank_entry(kpi, browser.principal.today()),
            "entry_errors": entry_errors or {},
            "observations": observations.get("data") if isinstance(observations, dict) else None,
            "obs_page": page,
            "obs_pages": max(1, -(-obs_count // OBS_PER_PAGE)),
            "obs_count": obs_count,
            "inputs": inputs,
            "input_names": await kpi_names(request, browser, inputs),
            "periods": PERIODS,
            "notice": notice,
            "focus": focus,
            "can_edit": browser.role.at_least(Role.editor),
            "derived": bool(kpi.get("derived") or kpi.get("formula")),
            **await _activity(request, browser, kpi_id),
            "activity_error": activity_error,
            **await action_views.for_kpi(request, browser, kpi_id),
            **LABELS,
        },
        status=status,
    )
