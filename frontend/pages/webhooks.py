"""Webhooks (admins): the workspace's endpoints, adding one (its signing secret shown once), an endpoint's page
with its delivery log, replay, a test event, secret rotation, turning it off and on, and removing it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from frontend.backend import FORM_PROBLEM, N_, Answer, call, refusal
from frontend.deps import WorkspaceDep
from frontend.pages.settings import require_admin
from frontend.templating import render
from gateway.auth import BrowserContext

router = APIRouter()
API = "/api/v1/webhooks"
KINDS = {
    "standard": N_("Standard Webhooks (signed JSON)"),
    "slack": N_("Slack incoming webhook"),
    "teams": N_("Microsoft Teams Workflows webhook"),
}
EVENTS = {
    "assigned": N_("Step assigned"),
    "approval_requested": N_("Approval requested"),
    "sent_back": N_("Step sent back"),
    "replan_proposed": N_("New plan proposed"),
    "reassigned_away": N_("Steps handed over"),
    "run_finished": N_("Run finished"),
    "due_48h": N_("Due in 48 hours"),
    "due_24h": N_("Due in 24 hours"),
    "overdue": N_("Overdue"),
    "escalated": N_("Escalated"),
    "cycle_opened": N_("Measurement cycle opened"),
    "kpi_stale": N_("KPI without recent figures"),
    "import_finished": N_("Import finished"),
    "import_failed": N_("Import failed"),
    "action_done": N_("Action done"),
    "effect_evaluated": N_("Effect evaluated"),
}
STATES = {"pending": N_("Waiting"), "sending": N_("Sending"), "succeeded": N_("Delivered"), "failed": N_("Failed")}
ERRORS = {
    "url": N_(
        "Enter the full http:// or https:// address of a public server. Private, loopback and link-local "
        "addresses are refused unless the operator allows them."
    ),
    "kind": N_("Choose one of the kinds in the list."),
    "description": N_("At most 200 characters."),
    "event_kinds": N_("Choose events from the list."),
}
NOTICES = {
    "test": N_("A test event is on its way. Its delivery shows in the log below."),
    "replay": N_("The delivery will be sent again. Its new attempt shows in the log below."),
    "saved": N_("The endpoint is saved."),
    "enabled": N_("The endpoint is on again. New events are sent to it."),
    "disabled": N_("The endpoint is off. Nothing is sent to it until it is turned on."),
}


def _body(form: Any) -> dict[str, Any]:
    return {
        "url": str(form.get("url") or "").strip(),
        "description": str(form.get("description") or "").strip(),
        "event_kinds": [str(k) for k in form.getlist("event_kinds")],
    }


async def _list(request: Request, browser: BrowserContext, **extra: Any):
    answer = await call(request, browser, "GET", API, params={"limit": 200})
    if not answer.ok:
        raise refusal(answer)
    created = extra.get("created")
    context = {
        "nav": "settings",
        "section": "webhooks",
        "endpoints": answer.body["data"],
        "kinds": KINDS,
        "events": EVENTS,
        "form": extra.pop("form", {"kind": "standard", "url": "", "description": "", "event_kinds": []}),
        "errors": extra.pop("errors", {}),
        **extra,
    }
    headers = {"Cache-Control": "no-store"} if created and created.get("secret") else None
    return render(request, "settings_webhooks.html", context, status=extra.get("status", 200), headers=headers)


@router.get("/settings/webhooks")
async def webhooks_page(request: Request, browser: WorkspaceDep):
    require_admin(request, browser)
    return await _list(request, browser)


@router.post("/settings/webhooks")
async def create_webhook(request: Request, browser: WorkspaceDep):
    require_admin(request, browser)
    form = await request.form()
    body = {**_body(form), "kind": str(form.get("kind") or "standard")}
    answer = await call(request, browser, "POST", API, payload=body)
    if answer.status == 422:
        return await _list(request, browser, form=body, errors=answer.field_errors(ERRORS), status=422)
    if not answer.ok:
        raise refusal(answer)
    return await _list(request, browser, created=answer.body)


async def _endpoint_page(request: Request, browser: BrowserContext, endpoint_id: int, **extra: Any):
    answer = await call(request, browser, "GET", f"{API}/{endpoint_id}")
    if not answer.ok:
        raise refusal(answer)
    log = await call(request, browser, "GET", f"{API}/{endpoint_id}/deliveries", params={"limit": 50})
    context = {
        "nav": "settings",
        "section": "webhooks",
        "endpoint": answer.body,
        "deliveries": log.body["data"] if log.ok else [],
        "kinds": KINDS,
        "events": EVENTS,
        "states": STATES,
        "notices": NOTICES,
        "form": extra.pop("form", None) or answer.body,
        "errors": extra.pop("errors", {}),
        **extra,
    }
    headers = {"Cache-Control": "no-store"} if extra.get("secret") else None
    return render(request, "settings_webhook.html", context, status=extra.pop("status", 200), headers=headers)


@router.get("/settings/webhooks/{endpoint_id}")
async def webhook_page(request: Request, browser: WorkspaceDep, endpoint_id: int):
    require_admin(request, browser)
    return await _endpoint_page(request, browser, endpoint_id)


@router.post("/settings/webhooks/{endpoint_id}")
async def update_webhook(request: Request, browser: WorkspaceDep, endpoint_id: int):
    require_admin(request, browser)
    form = await request.form()
    body = _body(form)
    answer = await call(request, browser, "PATCH", f"{API}/{endpoint_id}", payload=body)
    if answer.status == 422:
        return await _endpoint_page(
            request, browser, endpoint_id, form=body, errors=answer.field_errors(ERRORS), status=422
        )
    if not answer.ok:
        raise refusal(answer)
    return await _endpoint_page(request, browser, endpoint_id, notice="saved")


async def _act(request: Request, browser: BrowserContext, method: str, path: str, payload: Any = None) -> Answer:
    answer = await call(request, browser, method, path, payload=payload)
    if not answer.ok:
        raise refusal(answer)
    return answer


@router.post("/settings/webhooks/{endpoint_id}/test")
async def test_webhook(request: Request, browser: WorkspaceDep, endpoint_id: int):
    require_admin(request, browser)
    await _act(request, browser, "POST", f"{API}/{endpoint_id}/test")
    return await _endpoint_page(request, browser, endpoint_id, notice="test")


@router.post("/settings/webhooks/{endpoint_id}/rotate")
async def rotate_secret(request: Request, browser: WorkspaceDep, endpoint_id: int):
    require_admin(request, browser)
    answer = await _act(request, browser, "POST", f"{API}/{endpoint_id}/rotate-secret")
    return await _endpoint_page(request, browser, endpoint_id, secret=answer.body["secret"])


@router.post("/settings/webhooks/{endpoint_id}/{switch}")
async def switch_webhook(request: Request, browser: WorkspaceDep, endpoint_id: int, switch: str):
    require_admin(request, browser)
    if switch not in ("enable", "disable", "delete"):
        return await _endpoint_page(request, browser, endpoint_id, errors={"": FORM_PROBLEM}, status=422)
    if switch == "delete":
        await _act(request, browser, "DELETE", f"{API}/{endpoint_id}")
        return await _list(request, browser, deleted=True)
    await _act(request, browser, "PATCH", f"{API}/{endpoint_id}", payload={"enabled": switch == "enable"})
    return await _endpoint_page(request, browser, endpoint_id, notice=f"{switch}d")


@router.post("/settings/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay")
async def replay_delivery(request: Request, browser: WorkspaceDep, endpoint_id: int, delivery_id: int):
    require_admin(request, browser)
    await _act(request, browser, "POST", f"{API}/{endpoint_id}/deliveries/{delivery_id}/replay")
    return await _endpoint_page(request, browser, endpoint_id, notice="replay")
