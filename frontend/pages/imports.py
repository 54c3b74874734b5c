"""Importing observations from CSV and XLSX files: upload, mapping with a preview, progress, the report."""

from __future__ import annotations

import json
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from frontend import i18n, import_reasons
from frontend.backend import (
    FORM_PROBLEM,
    N_,
    SERVICE_DOWN,
    Answer,
    Down,
    call,
    int_or_none,
    is_htmx,
    refusal,
    service_of,
)
from frontend.deps import WorkspaceDep
from frontend.pages.feedback import CHANNELS
from frontend.templating import render
from gateway.auth import BrowserContext
from kit.errors import Unavailable
from kit.roles import Role

router = APIRouter()
API = "/api/v1/imports"
PER_PAGE = 20
PROBLEMS_PER_PAGE = 50
MAX_UPLOAD = 100 * 1024 * 1024
ROLES = {
    "ignore": N_("Ignore this column"),
    "kpi_name": N_("KPI name"),
    "kpi_id": N_("KPI id"),
    "period": N_("Period (day, week, month)"),
    "period_start": N_("Period start date"),
    "value": N_("Value"),
    "source": N_("Source"),
    "note": N_("Note"),
}
FEEDBACK_ROLES = {
    "ignore": N_("Ignore this column"),
    "received_at": N_("Received (date and time)"),
    "channel": N_("Channel"),
    "kind": N_("Kind (complaint, question, praise, suggestion)"),
    "sentiment": N_("Sentiment"),
    "category": N_("Category"),
    "text": N_("Text"),
    "customer_name": N_("Customer's name"),
    "customer_contact": N_("Customer's contact"),
    "link": N_("Link to the original"),
    "note": N_("Internal notes"),
}
TARGETS = {"observations": N_("KPI values"), "feedback_items": N_("Feedback items")}
PERIODS = {"day": N_("Day"), "week": N_("Week (from Monday)"), "month": N_("Month (from the 1st)")}
STATUSES = {
    "uploaded": N_("Waiting for its columns"),
    "queued": N_("Waiting to start"),
    "checking": N_("Checking lines"),
    "storing": N_("Storing values"),
    "done": N_("Done"),
    "failed_validation": N_("Stopped: some lines are bad"),
    "failed": N_("Failed"),
}
RUNNING = ("queued", "checking", "storing")
UPLOAD_ERRORS = {"file": N_("Choose a CSV or XLSX file with a header line, at most 100 MB.")}
MAPPING_ERRORS = {
    "channel": N_("Choose the column with the channel, or one channel for every line."),
    "period": N_("Choose the column with the period, or one period for every line."),
    "kpi_id": N_("Choose the column with the KPI, or one KPI for every line."),
}
COLUMN_ERROR = N_("Each kind of column can be chosen once.")
COLUMNS_MISSING = N_(
    "Choose one column with the period start date and one with the value, and name the KPI by one column only."
)
FEEDBACK_COLUMNS_MISSING = N_("Choose one column with the date received and one with the text.")
BUSY = N_("This import is already running. Wait for it to end.")
STORED = N_("These feedback items are stored already; upload the file again to import it once more.")


@router.get("/imports")
async def imports_page(request: Request, browser: WorkspaceDep):
    return await _list_page(request, browser)


@router.post("/imports")
async def upload(request: Request, browser: WorkspaceDep):
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return await _list_page(request, browser, errors={"file": UPLOAD_ERRORS["file"]}, status=422)
    data = await file.read(MAX_UPLOAD + 1)
    target = str(form.get("target") or "observations")
    if target not in TARGETS:
        return await _list_page(request, browser, errors={"target": FORM_PROBLEM}, status=422)
    try:
        answer = await _send_file(request, browser, file.filename, data, target)
    except Down:
        return await _list_page(request, browser, errors={"": SERVICE_DOWN}, status=503)
    if answer.status in (413, 422):
        return await _list_page(
            request, browser, errors={"file": UPLOAD_ERRORS["file"]}, detail=_detail(answer), status=422
        )
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/imports/{answer.body['id']}", status_code=303)


@router.get("/imports/{import_id}")
async def import_page(request: Request, browser: WorkspaceDep, import_id: int):
    return await _import_page(request, browser, import_id)


@router.post("/imports/{import_id}/run")
async def run(request: Request, browser: WorkspaceDep, import_id: int):
    form = await request.form()
    record = await _get(request, browser, import_id)
    feedback = record.get("target") == "feedback_items"
    mapping = _mapping_from(form, len(record["columns"]), feedback)
    answer = await call(request, browser, "POST", f"{API}/{import_id}/run", payload={"mapping": mapping})
    if answer.status == 422:
        return await _import_page(
            request, browser, import_id, mapping=mapping, errors=_mapping_errors(answer, feedback), status=422
        )
    if answer.status == 409:
        busy = STORED if feedback and record["status"] == "done" else BUSY
        return await _import_page(request, browser, import_id, errors={"": busy}, status=409)
    if not answer.ok:
        raise refusal(answer)
    if is_htmx(request):
        return await _import_page(request, browser, import_id)
    return RedirectResponse(f"/imports/{import_id}", status_code=303)


async def _send_file(
    request: Request, browser: BrowserContext, filename: str, data: bytes, target: str = "observations"
) -> Answer:
    """The file to the metrics service as multipart, the way a tool would send it through the gateway."""
    boundary = secrets.token_hex(16)
    safe_name = filename.replace('"', "").replace("\r", "").replace("\n", "")[-200:]
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="target"\r\n\r\n{target}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe_name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode(),
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    upstreams = request.app.state.upstreams
    headers = {
        **upstreams.identity_headers(browser.principal),
        "content-type": f"multipart/form-data; boundary={boundary}",
    }
    try:
        status, _, content = await upstreams.send(service_of(API), "POST", API, headers=headers, body=body)
    except Unavailable:
        raise Down(service_of(API)) from None
    try:
        return Answer(status, json.loads(content) if content else None)
    except ValueError:
        return Answer(502, None)


def _detail(answer: Answer) -> str | None:
    errors = answer.body.get("errors") if isinstance(answer.body, dict) else None
    return errors[0].get("detail") if errors else None


async def _get(request: Request, browser: BrowserContext, import_id: int) -> dict[str, Any]:
    answer = await call(request, browser, "GET", f"{API}/{import_id}")
    if not answer.ok:
        raise refusal(answer)
    return answer.body


def _mapping_from(form: Any, width: int, feedback: bool = False) -> dict[str, Any]:
    """The mapping form's fields as the API's mapping: a role per column, a fixed period and KPI (or, for
    feedback items, a fixed channel), the option."""
    columns = [str(form.get(f"col_{i}") or "ignore") for i in range(width)]
    if feedback:
        channel = form.get("channel") or None
        return {"columns": columns, "channel": channel, "store_good": form.get("store_good") == "on"}
    return {
        "columns": columns,
        "period": form.get("period") or None,
        "kpi_id": int_or_none(form.get("kpi_id")),
        "store_good": form.get("store_good") == "on",
    }


def _mapping_errors(answer: Answer, feedback: bool = False) -> dict[str, str]:
    """mapping.columns.3 → col_3; mapping.period → period; anything else → the whole form."""
    missing = FEEDBACK_COLUMNS_MISSING if feedback else COLUMNS_MISSING
    out: dict[str, str] = {}
    for item in (answer.body or {}).get("errors") or [{}]:
        parts = str(item.get("field") or "").split(".")
        if len(parts) == 3 and parts[1] == "columns":
            out[f"col_{parts[2]}"] = COLUMN_ERROR
        elif len(parts) == 2 and parts[1] in MAPPING_ERRORS:
            out[parts[1]] = MAPPING_ERRORS[parts[1]]
        else:
            out[""] = missing if parts[-1] == "columns" else FORM_PROBLEM
    return out


def said(lang: str, text: str) -> str:
    return i18n.translations(lang).gettext(text)


def with_kpi(record: dict[str, Any], kpis: list[dict[str, Any]]) -> dict[str, Any]:
    """The suggested mapping, and when no column names the KPI, the KPI the value column is named after
    ("Besøk" is Visits): its name, or its name in any of the UI's languages."""
    suggested = dict(record["suggested"])
    roles = suggested["columns"]
    if suggested.get("kpi_id") or {"kpi_id", "kpi_name"} & set(roles) or "value" not in roles:
        return suggested
    header = record["columns"][roles.index("value")].strip().casefold()
    for kpi in kpis:
        names = {said(lang, kpi["name"]).casefold() for lang in i18n.LANGUAGES}
        if header in names | {kpi["name"].casefold()}:
            return {**suggested, "kpi_id": kpi["id"]}
    return suggested


async def _list_page(
    request: Request,
    browser: BrowserContext,
    *,
    errors: dict | None = None,
    detail: str | None = None,
    status: int = 200,
):
    page = max(1, min(int_or_none(request.query_params.get("page")) or 1, 10_000))
    try:
        answer = await call(request, browser, "GET", API, params={"limit": PER_PAGE, "offset": (page - 1) * PER_PAGE})
        listing = answer.body if answer.ok else {"data": [], "count": 0}
        down = False
    except Down:
        listing, down = {"data": [], "count": 0}, True
    return render(
        request,
        "imports.html",
        {
            "nav": "kpis",
            "imports": listing["data"],
            "count": listing["count"],
            "page": page,
            "pages": max(1, -(-listing["count"] // PER_PAGE)),
            "statuses": STATUSES,
            "running": RUNNING,
            "targets": TARGETS,
            "chosen": request.query_params.get("target") if request.query_params.get("target") in TARGETS else None,
            "errors": errors or {},
            "detail": detail,
            "down": down,
            "can_edit": browser.role.at_least(Role.editor),
        },
        status=status,
    )


async def _import_page(
    request: Request,
    browser: BrowserContext,
    import_id: int,
    *,
    mapping: dict | None = None,
    errors: dict | None = None,
    status: int = 200,
):
    record = await _get(request, browser, import_id)
    page = max(1, min(int_or_none(request.query_params.get("problems_page")) or 1, 100_000))
    problems = {"data": [], "count": 0}
    if record["bad_lines"] and record["status"] not in RUNNING:
        answer = await call(
            request,
            browser,
            "GET",
            f"{API}/{import_id}/problems",
            params={"limit": PROBLEMS_PER_PAGE, "offset": (page - 1) * PROBLEMS_PER_PAGE},
        )
        problems = answer.body if answer.ok else problems
        problems["data"] = [
            {**p, "reason": import_reasons.reason(str(p.get("reason") or ""))} for p in problems["data"]
        ]
    running = record["status"] in RUNNING and not record["interrupted"]
    feedback = record.get("target") == "feedback_items"
    kpis = None  # for the mapping form's KPI choice; not on every poll of a running import
    if not running and not feedback:
        kpis = await call(request, browser, "GET", "/api/v1/kpis", params={"limit": 500})
    total = record["rows_total"] or 0
    kpi_rows = kpis.body["data"] if kpis is not None and kpis.ok else []
    return render(
        request,
        "import.html",
        {
            "nav": "kpis",
            "record": record,
            "mapping": mapping
            or record["mapping"]
            or (record["suggested"] if feedback else with_kpi(record, kpi_rows)),
            "roles": FEEDBACK_ROLES if feedback else ROLES,
            "feedback": feedback,
            "channels": CHANNELS,
            "periods": PERIODS,
            "statuses": STATUSES,
            "running": running,
            "kpis": kpi_rows,
            "problems": problems["data"],
            "problem_count": problems["count"],
            "problems_page": page,
            "problem_pages": max(1, -(-problems["count"] // PROBLEMS_PER_PAGE)),
            "total": total,
            "errors": errors or {},
            "can_edit": browser.role.at_least(Role.editor),
        },
        status=status,
        headers={"Cache-Control": "no-store"},
    )
