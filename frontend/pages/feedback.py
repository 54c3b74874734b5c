"""Feedback pages: the inbox (filters, bulk assign and categorise, keyboard navigation), an item with its handling
history, and the report (category trend, Pareto chart as server-rendered SVG)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend import feedback_history
from frontend.action_views import STATUSES as ACTION_STATUSES
from frontend.backend import N_, Down, call, get_or_none, int_or_none, people, refusal
from frontend.deps import WorkspaceDep
from frontend.pages.feedback_form import form_key, snippet
from frontend.templating import render
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()
API = "/api/v1/feedback"
PER_PAGE = 50
STATES = {
    "new": N_("New"),
    "in_progress": N_("In progress"),
    "answered": N_("Answered"),
    "resolved": N_("Resolved"),
    "escalated": N_("Escalated"),
}
CHANNELS = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "x": "X",
    "email": N_("Email"),
    "web_form": N_("Web form"),
    "review_site": N_("Review site"),
    "phone": N_("Phone"),
    "chat": N_("Chat"),
    "in_person": N_("In person"),
    "other": N_("Other"),
}
KINDS = {
    "complaint": N_("Complaint"),
    "question": N_("Question"),
    "praise": N_("Praise"),
    "suggestion": N_("Suggestion"),
}
SENTIMENTS = {"negative": N_("Negative"), "neutral": N_("Neutral"), "positive": N_("Positive")}
CATEGORY_KEYS = {
    "product": N_("Product"),
    "staff_service": N_("Staff and service"),
    "overselling": N_("Overselling or expectations"),
    "internal_communication": N_("Internal communication"),
    "delivery": N_("Delivery"),
    "price": N_("Price"),
    "website_app": N_("Website or app"),
}
# The inbox's "New item" form: an item typed in by hand (a phone call, a letter, a word at the counter).
NEW_FIELDS = (
    "channel",
    "kind",
    "sentiment",
    "category_id",
    "text",
    "customer_name",
    "customer_contact",
    "link",
    "received_at",
)
NEW_ERRORS = {
    "channel": N_("Choose the channel it came through."),
    "kind": N_("Choose complaint, question, praise or suggestion."),
    "sentiment": N_("Choose negative, neutral or positive."),
    "category_id": N_("Choose a category of the list, or none."),
    "text": N_("Write what the customer said, at most 10,000 characters."),
    "customer_name": N_("Use at most 200 characters."),
    "customer_contact": N_("Use at most 200 characters."),
    "link": N_("Use at most 2,000 characters."),
    "received_at": N_("Enter the date and time it came in, e.g. 2026-03-14 09:30, or leave it empty for now."),
}
FILTERS = ("state", "channel", "category_id", "kind", "sentiment", "surface_id", "past_target")
NEXT = {
    "new": ("in_progress", "resolved", "escalated"),
    "in_progress": ("resolved", "escalated"),
    "answered": ("in_progress", "resolved", "escalated"),
    "escalated": ("in_progress", "resolved"),
    "resolved": ("in_progress",),
}


def _filters(params) -> dict[str, str]:
    return {name: str(params.get(name) or "") for name in FILTERS}


async def _categories(request: Request, browser: BrowserContext) -> dict[int, dict]:
    body = await get_or_none(request, browser, f"{API}/categories")
    return {c["id"]: c for c in body or []}


def _common(browser: BrowserContext) -> dict[str, Any]:
    return {
        "nav": "feedback",
        "states": STATES,
        "channels": CHANNELS,
        "kinds": KINDS,
        "sentiments": SENTIMENTS,
        "category_keys": CATEGORY_KEYS,
        "can_edit": browser.role.at_least(Role.editor),
    }


def new_blank() -> dict[str, str]:
    return {**dict.fromkeys(NEW_FIELDS, ""), "channel": "email", "kind": "complaint", "sentiment": "negative"}


def new_payload(form: dict[str, str], zone: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The API's body for the typed-in item, and the fields the page refuses itself (a time it cannot read). The
    time is the workspace's local time; empty means now."""
    body: dict[str, Any] = {k: form[k] or None for k in ("channel", "kind", "sentiment", "text")}
    body.update({k: form[k] or None for k in ("customer_name", "customer_contact", "link")})
    body["category_id"] = int_or_none(form["category_id"])
    errors: dict[str, str] = {}
    if form["received_at"]:
        try:
            moment = datetime.fromisoformat(form["received_at"].replace(" ", "T"))
        except ValueError:
            errors["received_at"] = NEW_ERRORS["received_at"]
        else:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=ZoneInfo(zone or "UTC"))
            body["received_at"] = moment.isoformat()
    if not form["text"]:
        errors["text"] = NEW_ERRORS["text"]
    return {k: v for k, v in body.items() if v is not None}, errors


async def _inbox_context(request: Request, browser: BrowserContext, page: int, done: str | None) -> dict[str, Any]:
    filters = _filters(request.query_params)
    params: dict[str, Any] = {k: v for k, v in filters.items() if v}
    params.update(limit=PER_PAGE, offset=(max(page, 1) - 1) * PER_PAGE)
    body = await get_or_none(request, browser, API, params=params)
    rows, count = (body["data"], body["count"]) if isinstance(body, dict) else ([], 0)
    link = (
        str(request.base_url).rstrip("/")
        + "/feedback/form/"
        + form_key(request.app.state.signing_key, browser.workspace.id, None)
    )
    return {
        **_common(browser),
        "filters": filters,
        "rows": rows,
        "count": count,
        "page": page,
        "pages": max(1, -(-count // PER_PAGE)),
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "down": body is None,
        "categories": await _categories(request, browser),
        "members": await people(request, browser),
        "form_link": link,
        "snippet": snippet(link),
        "done": done,
        "new": new_blank(),
        "errors": {},  # the "New item" form's, beside its fields (_field.html reads `errors`)
    }


@router.get("/feedback")
async def inbox(request: Request, browser: WorkspaceDep, page: int = 1, done: str | None = None):
    return render(request, "feedback_inbox.html", await _inbox_context(request, browser, page, done))


@router.post("/feedback/new")
async def new_item(request: Request, browser: WorkspaceDep):
    data = await request.form()
    form = {name: str(data.get(name) or "").strip() for name in NEW_FIELDS}
    body, errors = new_payload(form, browser.workspace.timezone)
    if not errors:
        try:
            answer = await call(request, browser, "POST", API, payload=body)
        except Down:
            errors = {"": N_("The item could not be saved right now. Try again in a moment.")}
        else:
            if answer.ok:
                return RedirectResponse(f"/feedback/{answer.body['id']}?done=created", status_code=303)
            if answer.status != 422:
                raise refusal(answer)
            errors = answer.field_errors(NEW_ERRORS)
    context = await _inbox_context(request, browser, 1, None)
    first = next((name for name in NEW_FIELDS if name in errors), None)
    context.update(new=form, errors=errors, first_error=first, open_new=True)
    return render(request, "feedback_inbox.html", context, status=422)


@router.post("/feedback/bulk")
async def bulk(request: Request, browser: WorkspaceDep):
    data = await request.form()
    ids = [i for i in (int_or_none(str(v)) for v in data.getlist("ids")) if i]
    payload: dict[str, Any] = {"ids": ids}
    for name in ("owner_id", "category_id"):
        value = int_or_none(str(data.get(name) or ""))
        if value:
            payload[name] = value
    back = "/feedback?" + str(data.get("back") or "")
    if not ids or len(payload) == 1:
        return RedirectResponse(back, status_code=303)
    answer = await call(request, browser, "POST", f"{API}/bulk", payload=payload)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(back + "&done=bulk", status_code=303)


@router.post("/feedback/kpis")
async def make_kpis(request: Request, browser: WorkspaceDep):
    answer = await call(request, browser, "POST", f"{API}/kpis")
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse("/feedback/report?done=kpis", status_code=303)


@router.get("/feedback/report")
async def report(request: Request, browser: WorkspaceDep, done: str | None = None):
    today = date.today()
    start = date(today.year - 1, today.month, 1)
    body = await get_or_none(
        request, browser, f"{API}/report", params={"from": start.isoformat(), "to": today.replace(day=1).isoformat()}
    )
    categories = await _categories(request, browser)
    rows = body or []
    months = sorted({r["month"] for r in rows})
    by_category: dict[Any, int] = {}
    trend: dict[Any, dict[str, int]] = {}
    channels: dict[str, int] = {}
    for r in rows:
        if r["complaints"]:
            by_category[r["category_id"]] = by_category.get(r["category_id"], 0) + r["complaints"]
            trend.setdefault(r["category_id"], {}).setdefault(r["month"], 0)
            trend[r["category_id"]][r["month"]] += r["complaints"]
            channels[r["channel"]] = channels.get(r["channel"], 0) + r["complaints"]
    return render(
        request,
        "feedback_report.html",
        {
            **_common(browser),
            "categories": categories,
            "pareto": pareto(by_category),
            "months": months,
            "trend": trend,
            "by_channel": sorted(channels.items(), key=lambda kv: -kv[1]),
            "down": body is None,
            "done": done,
        },
    )


PARETO = {"width": 640, "label": 224, "right": 76, "top": 26, "row": 30, "bar": 18, "bottom": 10}


def pareto(counts: dict[Any, int]) -> dict[str, Any]:
    """Bars by count, largest first, and the cumulative share line, laid out for the SVG: one row a category,
    the category's name left of its bar (room for a long one), the count after the bar and the cumulative share
    in the right margin, so nothing runs past the edge or into a neighbour however the counts fall."""
    size = PARETO
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
    total = sum(counts.values()) or 1
    top = max(counts.values(), default=1) or 1
    x0, span = size["label"], size["width"] - size["label"] - size["right"]
    bars, points, running = [], [], 0
    for index, (key, count) in enumerate(ordered):
        running += count
        y = size["top"] + index * size["row"]
        middle = y + size["row"] / 2
        w = round(span * count / top, 1)
        share = round(100 * running / total)
        bars.append(
            {
                "key": key,
                "count": count,
                "share": share,
                "x": x0,
                "y": round(middle - size["bar"] / 2, 1),
                "w": w,
                "h": size["bar"],
                "middle": round(middle + 4, 1),  # the text's baseline, centred on the bar
            }
        )
        points.append(f"{round(x0 + span * running / total, 1)},{round(middle, 1)}")
    height = size["top"] + len(ordered) * size["row"] + size["bottom"]
    return {
        "bars": bars,
        "line": " ".join(points),
        "width": size["width"],
        "height": height,
        "label_x": x0 - 8,
        "share_x": size["width"] - 4,
        "axis_top": size["top"] - 4,
        "axis_bottom": height - size["bottom"],
    }


async def _item(request: Request, browser: BrowserContext, item_id: int) -> dict[str, Any]:
    answer = await call(request, browser, "GET", f"{API}/{item_id}")
    if not answer.ok:
        raise refusal(answer)
    return answer.body


async def _actions_from(request: Request, browser: BrowserContext, item_id: int) -> list[dict]:
    """The actions made from the item (none when the tasks service cannot answer)."""
    body = await get_or_none(request, browser, "/api/v1/actions", params={"feedback_item_id": item_id, "limit": 50})
    return body.get("data", []) if isinstance(body, dict) else []


@router.get("/feedback/{item_id}")
async def item_page(request: Request, browser: WorkspaceDep, item_id: int, done: str | None = None):
    item = await _item(request, browser, item_id)
    history = await get_or_none(request, browser, f"{API}/{item_id}/history")
    return render(
        request,
        "feedback_item.html",
        {
            **_common(browser),
            "item": item,
            "history": [feedback_history.describe(e) for e in history or []],
            "next_states": NEXT[item["state"]],
            "categories": await _categories(request, browser),
            "members": await people(request, browser),
            "done": done,
            "actions": await _actions_from(request, browser, item_id),
            "action_statuses": ACTION_STATUSES,
        },
    )


@router.post("/feedback/{item_id}")
async def update_item(request: Request, browser: WorkspaceDep, item_id: int):
    data = await request.form()
    payload = {name: int_or_none(str(data.get(name) or "")) for name in ("category_id", "owner_id") if name in data}
    for name in ("kind", "sentiment", "notes"):
        if name in data:
            payload[name] = str(data.get(name) or "") or None
    return await _act(request, browser, item_id, "PATCH", f"{API}/{item_id}", payload)


@router.post("/feedback/{item_id}/answer")
async def answer_item(request: Request, browser: WorkspaceDep, item_id: int):
    text = str((await request.form()).get("text") or "").strip()
    return await _act(request, browser, item_id, "POST", f"{API}/{item_id}/answer", {"text": text})


@router.post("/feedback/{item_id}/state")
async def move_item(request: Request, browser: WorkspaceDep, item_id: int):
    state = str((await request.form()).get("state") or "")
    return await _act(request, browser, item_id, "POST", f"{API}/{item_id}/state", {"state": state})


@router.post("/feedback/{item_id}/erase")
async def erase_item(request: Request, browser: WorkspaceDep, item_id: int):
    return await _act(request, browser, item_id, "POST", f"{API}/{item_id}/erase", None)


async def _act(request: Request, browser: BrowserContext, item_id: int, method: str, path: str, payload: Any):
    try:
        answer = await call(request, browser, method, path, payload=payload)
    except Down:
        return RedirectResponse(f"/feedback/{item_id}?done=down", status_code=303)
    if answer.status in (409, 422):
        return RedirectResponse(f"/feedback/{item_id}?done=refused", status_code=303)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/feedback/{item_id}?done=saved", status_code=303)
