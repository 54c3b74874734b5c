"""The public feedback form of a surface: no account, a link and an embeddable snippet; files the item as new.

Guards: a honeypot field, a size cap (16 kB a post), and a limit per address and form (5 posts in 10 minutes,
then 429 with Retry-After). The link carries workspace and surface with an HMAC of the gateway's signing key, so no
table is needed and a guessed link is a 404. The item reaches the metrics service like any other call, as a principal
of the form's workspace (user id 0: nobody signed in) that can do nothing but this one post.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import deque

from fastapi import APIRouter, Request

from frontend.backend import N_
from frontend.templating import render
from gateway.models import Workspace
from kit.errors import NotFound, Unavailable
from kit.identity import Principal
from kit.roles import Role

router = APIRouter()
MAX_BYTES = 16_000
LIMIT, WINDOW = 5, 600.0
HONEYPOT = "website"
KINDS = {
    "complaint": N_("A complaint"),
    "question": N_("A question"),
    "suggestion": N_("A suggestion"),
    "praise": N_("Praise"),
}
SENTIMENT = {"complaint": "negative", "question": "neutral", "suggestion": "neutral", "praise": "positive"}


def form_key(signing_key: str, workspace_id: int, surface_id: int | None) -> str:
    """The public form's key: workspace, surface (0: none) and their HMAC."""
    body = f"{workspace_id}-{surface_id or 0}"
    mac = hmac.new(signing_key.encode(), f"feedback-form:{body}".encode(), hashlib.sha256).hexdigest()[:24]
    return f"{body}-{mac}"


def _parse(signing_key: str, key: str) -> tuple[int, int | None]:
    parts = key.split("-")
    if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
        ws, surface = int(parts[0]), int(parts[1]) or None
        if ws and hmac.compare_digest(form_key(signing_key, ws, surface), key):
            return ws, surface
    raise NotFound("No such feedback form.")


class Limiter:
    """At most LIMIT posts per address in WINDOW seconds (in memory, per gateway process)."""

    def __init__(self) -> None:
        self.seen: dict[str, deque[float]] = {}

    def retry_after(self, address: str, now: float | None = None) -> int:
        """0 when the post may go (and it is counted), else the seconds until it may."""
        now = now if now is not None else time.monotonic()
        hits = self.seen.setdefault(address, deque())
        while hits and hits[0] <= now - WINDOW:
            hits.popleft()
        if len(hits) >= LIMIT:
            return max(1, int(hits[0] + WINDOW - now) + 1)
        hits.append(now)
        if len(self.seen) > 10_000:  # forget idle addresses
            for stale in [a for a, h in self.seen.items() if not h or h[-1] <= now - WINDOW]:
                del self.seen[stale]
        return 0


def _limiter(request: Request) -> Limiter:
    state = request.app.state
    if not hasattr(state, "feedback_limiter"):
        state.feedback_limiter = Limiter()
    return state.feedback_limiter


async def _workspace(request: Request, key: str) -> tuple[Workspace, int | None]:
    ws_id, surface = _parse(request.app.state.signing_key, key)
    workspace = await request.app.state.run_db(lambda s: s.get(Workspace, ws_id))
    if workspace is None:
        raise NotFound("No such feedback form.")
    return workspace, surface


def _page(request: Request, key: str, *, status: int = 200, sent: bool = False, error: str = "", values=None, **kw):
    context = {"key": key, "kinds": KINDS, "sent": sent, "error": error, "values": values or {}}
    return render(request, "feedback_form.html", context, status=status, **kw)


@router.get("/feedback/form/{key}")
async def form(request: Request, key: str):
    await _workspace(request, key)
    return _page(request, key)


@router.post("/feedback/form/{key}")
async def submit(request: Request, key: str):
    workspace, surface = await _workspace(request, key)
    if int(request.headers.get("content-length") or 0) > MAX_BYTES:
        return _page(request, key, status=413, error="size")
    body = await request.body()
    if len(body) > MAX_BYTES:
        return _page(request, key, status=413, error="size")
    address = request.client.host if request.client else "?"
    wait = _limiter(request).retry_after(f"{address} {key}")  # per address and form
    if wait:
        return _page(request, key, status=429, error="rate", headers={"Retry-After": str(wait)})
    form_data = await request.form()
    values = {name: str(form_data.get(name) or "").strip() for name in ("kind", "text", "name", "contact", HONEYPOT)}
    if values[HONEYPOT]:
        return _page(request, key, status=400, error="refused")
    if not values["text"]:
        return _page(request, key, status=422, error="text", values=values)
    kind = values["kind"] if values["kind"] in KINDS else "complaint"
    payload = {
        "channel": "web_form",
        "surface_id": surface,
        "kind": kind,
        "sentiment": SENTIMENT[kind],
        "text": values["text"],
        "customer_name": values["name"] or None,
        "customer_contact": values["contact"] or None,
    }
    principal = Principal(user_id=0, workspace_id=workspace.id, role=Role.editor, timezone=workspace.timezone)
    try:
        status, _ = await request.app.state.upstreams.call(
            "metrics", "POST", "/api/v1/feedback", principal, payload=payload
        )
    except Unavailable:
        status = 503
    if status != 201:
        return _page(request, key, status=422 if status == 422 else 503, error="failed", values=values)
    return _page(request, key, sent=True)


def snippet(url: str) -> str:
    """The HTML to embed the form in another site."""
    return f'<iframe src="{url}" title="Feedback" style="width:100%;min-height:28rem;border:0"></iframe>'
