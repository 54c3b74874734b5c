"""Settings → Reminders: the workspace's working hours (reminders go out inside them) and how many working hours
a step may be overdue before the run's owner is told. Stored by the tasks service (/api/v1/reminder-settings)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from frontend.backend import N_, call, refusal
from frontend.deps import WorkspaceDep
from frontend.templating import render
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()
PATH = "/api/v1/reminder-settings"
ERRORS = {
    "day_start": N_("Enter a time as HH:MM, for example 08:00."),
    "day_end": N_("Enter a time as HH:MM after the start of the day, for example 16:00."),
    "escalate_after_hours": N_("Enter a whole number of hours from 1 to 400."),
}


@router.get("/settings/reminders")
async def reminders_page(request: Request, browser: WorkspaceDep):
    answer = await call(request, browser, "GET", PATH)
    if not answer.ok:
        raise refusal(answer)
    return _page(request, browser, _form(answer.body))


@router.post("/settings/reminders")
async def save_reminders(
    request: Request,
    browser: WorkspaceDep,
    day_start: Annotated[str, Form(max_length=10)] = "",
    day_end: Annotated[str, Form(max_length=10)] = "",
    escalate_after_hours: Annotated[str, Form(max_length=10)] = "",
):
    form = {"day_start": day_start.strip(), "day_end": day_end.strip(), "escalate_after_hours": escalate_after_hours}
    hours = escalate_after_hours.strip()
    if not hours.isdigit():
        return _page(
            request, browser, form, errors={"escalate_after_hours": ERRORS["escalate_after_hours"]}, status=422
        )
    payload = {"day_start": form["day_start"], "day_end": form["day_end"], "escalate_after_hours": int(hours)}
    answer = await call(request, browser, "PUT", PATH, payload=payload)
    if answer.status == 422:
        return _page(request, browser, form, errors=answer.field_errors(ERRORS), status=422)
    if not answer.ok:
        raise refusal(answer)
    return _page(request, browser, _form(answer.body), saved=True)


def _form(body: dict) -> dict[str, str]:
    return {k: str(body[k]) for k in ("day_start", "day_end", "escalate_after_hours")}


def _page(
    request: Request,
    browser: BrowserContext,
    form: dict[str, str],
    *,
    errors: dict | None = None,
    saved: bool = False,
    status: int = 200,
):
    return render(
        request,
        "settings_reminders.html",
        {
            "nav": "settings",
            "section": "reminders",
            "form": form,
            "errors": errors or {},
            "saved": saved,
            "can_edit": browser.role.at_least(Role.editor),
        },
        status=status,
    )
