"""Calendar feeds (every member): my deadlines and the workspace's workflow dates as iCalendar URLs to subscribe
to; a URL is shown once (only its hash is kept), and a new one or a revoke ends the old one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from frontend.backend import call, refusal
from frontend.deps import WorkspaceDep
from frontend.templating import render
from gateway.auth import BrowserContext

router = APIRouter()
API = "/api/v1/calendars"
KINDS = ("personal", "workspace")


def _public(request: Request, url: str) -> str:
    """The feed's address at this Effekt, whatever the service was told its public address is."""
    return str(request.base_url).rstrip("/") + "/calendar/" + url.rsplit("/", 1)[-1]


async def _page(request: Request, browser: BrowserContext, **extra: Any):
    answer = await call(request, browser, "GET", API)
    if not answer.ok:
        raise refusal(answer)
    feeds = {feed["kind"]: feed for feed in answer.body["data"]}
    headers = {"Cache-Control": "no-store"} if extra.get("url") else None
    context = {"nav": "settings", "section": "calendar", "feeds": feeds, **extra}
    return render(request, "settings_calendar.html", context, headers=headers)


@router.get("/settings/calendar")
async def calendar_page(request: Request, browser: WorkspaceDep):
    return await _page(request, browser)


@router.post("/settings/calendar/{kind}")
async def issue_feed(request: Request, browser: WorkspaceDep, kind: str):
    if kind not in KINDS:
        return await _page(request, browser)
    answer = await call(request, browser, "POST", f"{API}/{kind}")
    if not answer.ok:
        raise refusal(answer)
    return await _page(request, browser, issued=kind, url=_public(request, answer.body["url"]))


@router.post("/settings/calendar/{kind}/revoke")
async def revoke_feed(request: Request, browser: WorkspaceDep, kind: str):
    if kind in KINDS:
        answer = await call(request, browser, "DELETE", f"{API}/{kind}")
        if not answer.ok and answer.status != 404:
            raise refusal(answer)
    return await _page(request, browser, revoked=kind)
