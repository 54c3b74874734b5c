"""The notification inbox (/inbox, the unread count in the header) and the notification settings page.

Both read the tasks service as the browser: the inbox's words come from it in the page's language (the same
words the email uses), the settings are the person's own email choice per event kind and quiet hours."""

from __future__ import annotations

from datetime import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from frontend.backend import N_, Down, refusal
from frontend.deps import WorkspaceDep
from frontend.i18n import translations
from frontend.pages.settings import language
from frontend.templating import render
from frontend.workflow_backend import tasks

router = APIRouter()
API = "/api/v1/notifications"
PAGE_SIZE = 50
KINDS = {
    "assigned": N_("A step is handed to me"),
    "approval_requested": N_("My approval is asked for"),
    "sent_back": N_("My step is sent back"),
    "replan_proposed": N_("A new plan is proposed for my run"),
    "reassigned_away": N_("My steps go to someone else"),
    "run_finished": N_("My run is finished"),
    "due_48h": N_("A deadline is two days away"),
    "due_24h": N_("A deadline is tomorrow"),
    "overdue": N_("A step is overdue"),
    "escalated": N_("A step in my run is overdue (escalation)"),
    "cycle_opened": N_("A measurement cycle opens"),
    "kpi_stale": N_("My KPI has no new value"),
    "connector_failing": N_("A connector of mine is failing"),
    "import_finished": N_("My import is finished"),
    "import_failed": N_("My import failed"),
    "action_done": N_("An action is done"),
    "effect_evaluated": N_("An action's effect is judged"),
}
MODES = {"immediate": N_("At once"), "digest": N_("Daily digest"), "off": N_("Off")}
ERRORS = {
    "quiet_start": N_("Give both the start and the end of the quiet hours, or neither."),
    "quiet_end": N_("Give both times, and let the quiet hours end at another time than they start."),
    "kinds": N_("Choose one of the options for each kind."),
}


@router.get("/inbox")
async def inbox(request: Request, browser: WorkspaceDep, offset: int = 0, unread: bool = False):
    lang = language(request, browser)
    params: dict[str, Any] = {"lang": lang, "limit": PAGE_SIZE, "offset": max(0, min(offset, 10_000))}
    if unread:
        params["unread"] = "true"
    try:
        answer = await tasks(request, browser, "GET", API, params=params)
    except Down:
        answer = None
    if answer is not None and not answer.ok:
        raise refusal(answer)
    body = answer.body if answer else None
    return render(request, "inbox.html", {"nav": "inbox", "inbox": body, "unread_only": unread, "size": PAGE_SIZE})


@router.get("/inbox/badge")
async def badge(request: Request, browser: WorkspaceDep):
    """The header's unread count (polled by htmx): empty when there is none or the tasks service is away."""
    try:
        answer = await tasks(request, browser, "GET", f"{API}/unread-count")
    except Down:
        return HTMLResponse("")
    count = answer.body.get("count", 0) if answer.ok and isinstance(answer.body, dict) else 0
    if not count:
        return HTMLResponse("")
    words = translations(language(request, browser)).ngettext(
        "%(count)s unread notification", "%(count)s unread notifications", count
    ) % {"count": count}
    shown = "99+" if count > 99 else str(count)
    return render(request, "_inbox_badge.html", {"count": shown, "words": words})


@router.get("/inbox/{event_id}")
async def open_item(event_id: int, request: Request, browser: WorkspaceDep):
    """Mark it read and go to what it is about (a path inside Effekt only; else back to the inbox)."""
    answer = await tasks(request, browser, "POST", f"{API}/{event_id}/read")
    if not answer.ok:
        raise refusal(answer)
    item = await tasks(request, browser, "GET", f"{API}/{event_id}")
    link = (item.body or {}).get("link") if item.ok else None
    safe = isinstance(link, str) and link.startswith("/") and not link.startswith("//")
    return RedirectResponse(link if safe else "/inbox", status_code=303)


@router.post("/inbox/{event_id}/read")
async def mark_read(event_id: int, request: Request, browser: WorkspaceDep):
    answer = await tasks(request, browser, "POST", f"{API}/{event_id}/read")
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse("/inbox", status_code=303)


@router.post("/inbox/read-all")
async def mark_all_read(request: Request, browser: WorkspaceDep):
    answer = await tasks(request, browser, "POST", f"{API}/read-all")
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse("/inbox", status_code=303)


@router.get("/settings/notifications")
async def settings_page(request: Request, browser: WorkspaceDep):
    return await _settings(request, browser)


@router.post("/settings/notifications")
async def save_settings(request: Request, browser: WorkspaceDep):
    form = await request.form()
    chosen = {kind: str(form.get(f"email_{kind}") or "") for kind in KINDS}
    start, end = str(form.get("quiet_start") or "").strip(), str(form.get("quiet_end") or "").strip()
    errors: dict[str, str] = {}
    if any(mode not in MODES for mode in chosen.values()):
        errors["kinds"] = ERRORS["kinds"]
    for name, value in (("quiet_start", start), ("quiet_end", end)):
        if value and _time(value) is None:
            errors[name] = ERRORS[name]
    if not errors:
        payload = {
            "kinds": [{"kind": k, "email": m} for k, m in chosen.items()],
            "quiet_start": start or None,
            "quiet_end": end or None,
        }
        answer = await tasks(request, browser, "PUT", f"{API}/preferences", payload=payload)
        if answer.ok:
            return await _settings(request, browser, saved=True)
        if answer.status != 422:
            raise refusal(answer)
        errors = answer.field_errors(ERRORS)
    form_values = {"kinds": chosen, "quiet_start": start, "quiet_end": end}
    return await _settings(request, browser, form=form_values, errors=errors, status=422)


def _time(value: str) -> time | None:
    try:
        return time.fromisoformat(value)
    except ValueError:
        return None


async def _settings(request: Request, browser, *, form=None, errors=None, saved=False, status=200):
    answer = await tasks(request, browser, "GET", f"{API}/preferences")
    if not answer.ok:
        raise refusal(answer)
    prefs = answer.body
    if form is None:
        form = {
            "kinds": {k["kind"]: k["email"] for k in prefs["kinds"]},
            "quiet_start": (prefs["quiet_start"] or "")[:5],
            "quiet_end": (prefs["quiet_end"] or "")[:5],
        }
    context = {
        "nav": "settings",
        "section": "notifications",
        "kinds": KINDS,
        "modes": MODES,
        "form": form,
        "errors": errors or {},
        "saved": saved,
        "email_enabled": prefs["email_enabled"],
        "zone": browser.workspace.timezone,
    }
    return render(request, "settings_notifications.html", context, status=status)
