"""The home page of the signed-in workspace."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend.backend import service_of
from frontend.deps import WorkspaceDep
from frontend.templating import render, secure
from gateway import tokens, workspaces
from kit.errors import Unavailable

router = APIRouter()

# newcomer: the first-run checklist through the loop; each step is done when its list is not empty.
STEPS = (
    ("surface", "/api/v1/surfaces", "/surfaces"),
    ("goal", "/api/v1/goals", "/strategy"),
    ("kpi", "/api/v1/kpis", "/kpis"),
    ("data", "/api/v1/observations", "/imports"),
    ("cycle", "/api/v1/cycles", "/cycles"),
    ("action", "/api/v1/actions", "/actions"),
)
DISMISSED = "effekt_checklist_done"

# What the home page counts: (label key, path); the path names the service.
COUNTS = (
    ("surfaces", "/api/v1/surfaces"),
    ("kpis", "/api/v1/kpis"),
    ("periods", "/api/v1/periods"),
)


@router.get("/")
async def home(request: Request, browser: WorkspaceDep):
    state = request.app.state
    principal = browser.principal
    results = await asyncio.gather(*(_count(state.upstreams, path, principal) for _, path in COUNTS))
    counts = {key: value for (key, _), value in zip(COUNTS, results, strict=False)}
    members, live_tokens = await state.run_db(_local_counts, browser.workspace.id)
    stale = await _my_stale_kpis(state.upstreams, principal, browser.user.id)
    steps = await _checklist(request, state.upstreams, principal, browser.workspace.id)
    open_cycles = await _count(state.upstreams, "/api/v1/cycles", principal, status="open")
    context = {"counts": counts, "members": members, "tokens": live_tokens, "stale": stale, "nav": "home"}
    return render(request, "home.html", {**context, "steps": steps, "open_cycles": open_cycles})


async def _checklist(request: Request, upstreams, principal, workspace_id: int) -> list[dict] | None:
    """The first-run steps with whether each is done; None once dismissed or all done."""
    if str(workspace_id) in request.cookies.get(DISMISSED, "").split("."):
        return None
    found = await asyncio.gather(*(_count(upstreams, api, principal) for _, api, _ in STEPS))
    steps = [
        {"key": key, "href": href, "done": bool(n), "known": n is not None}
        for (key, _, href), n in zip(STEPS, found, strict=True)
    ]
    return None if all(s["done"] for s in steps) else steps


@router.post("/checklist/dismiss")
async def dismiss_checklist(request: Request, browser: WorkspaceDep):
    """Hide the first-run checklist of this workspace in this browser."""
    done = {*request.cookies.get(DISMISSED, "").split("."), str(browser.workspace.id)} - {""}
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        DISMISSED,
        ".".join(sorted(done)),
        max_age=5 * 365 * 86400,
        samesite="lax",
        secure=secure(request),
        httponly=True,
        path="/",
    )
    return response


async def _my_stale_kpis(upstreams, principal, user_id: int) -> list[dict] | None:
    """The active KPIs the user owns that are waiting for data; None when metrics cannot answer."""
    try:
        status, body = await upstreams.call(
            service_of("/api/v1/kpis"),
            "GET",
            "/api/v1/kpis",
            principal,
            params={"stale": "true", "owner_id": user_id, "archived": "false", "sort": "name", "limit": 50},
        )
    except Unavailable:
        return None
    if status != 200 or not isinstance(body, dict):
        return None
    # Checked here too: the list must stay right whichever filters the service knows.
    return [k for k in body.get("data", []) if k.get("stale") and k.get("owner_id") == user_id]


async def _count(upstreams, path: str, principal, **filters) -> int | None:
    """The number of records, or None when the service cannot answer (the page says so)."""
    try:
        params = {"limit": 1, **filters}
        status, body = await upstreams.call(service_of(path), "GET", path, principal, params=params)
    except Unavailable:
        return None
    return body.get("count") if status == 200 and isinstance(body, dict) else None


def _local_counts(session, workspace_id: int) -> tuple[int, int]:
    members = len(workspaces.members(session=session, workspace_id=workspace_id))
    live = sum(1 for t in tokens.list_tokens(session=session, workspace_id=workspace_id) if t.revoked_at is None)
    return members, live
