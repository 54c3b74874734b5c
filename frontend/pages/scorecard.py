"""The Scorecard page: inputs → activities → results for a period, with status, change and sparklines."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from frontend import action_views, kpi_form, sparkline
from frontend.backend import N_, Down, call, get_or_none, int_or_none
from frontend.deps import WorkspaceDep
from frontend.pages.kpi import kpi_names, surfaces
from frontend.templating import render, templates
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()
sparkline.install(templates.env)
action_views.install(templates.env)

PERIOD_KINDS = {"month": N_("Month"), "quarter": N_("Quarter"), "year": N_("Year")}
TRENDS = {
    "better": N_("Better than the period before"),
    "worse": N_("Worse than the period before"),
    "same": N_("Same as the period before"),
    "up": N_("Up from the period before"),
    "down": N_("Down from the period before"),
}


def parse(params: Any) -> dict[str, Any]:
    """The page's parameters; anything unknown falls back to the default rather than failing."""
    kind = params.get("period") if params.get("period") in PERIOD_KINDS else "month"
    try:
        day = date.fromisoformat(params.get("date") or "")
        day = min(max(day, date(1901, 1, 1)), date(9998, 1, 1))
    except ValueError:
        day = None
    surface = int_or_none(params.get("surface"))
    return {"period": kind, "date": day, "surface": surface if surface and 0 < surface < 2**31 else None}


def query(choice: dict[str, Any], **changes: Any) -> str:
    """The page's query string, with changes."""
    merged = {**choice, **changes}
    pairs = {
        "period": merged["period"] if merged["period"] != "month" else "",
        "date": merged["date"].isoformat() if merged["date"] else "",
        "surface": merged["surface"] or "",
    }
    return urlencode({k: v for k, v in pairs.items() if v})


async def _last_observed(request: Request, browser: BrowserContext, items: list[dict[str, Any]]) -> dict[int, str]:
    """When each stale KPI last had a value, if the items do not say (one call, only when some are stale)."""
    missing = [i["kpi_id"] for i in items if i.get("stale") and not i.get("last_observed")]
    if not missing:
        return {}
    body = await get_or_none(
        request,
        browser,
        "/api/v1/kpis",
        params={"ids": ",".join(map(str, missing[:500])), "archived": "all", "limit": 500},
    )
    return {k["id"]: k.get("last_observed") for k in body.get("data", [])} if isinstance(body, dict) else {}


@router.get("/scorecard")
async def scorecard_page(request: Request, browser: WorkspaceDep):
    choice = parse(request.query_params)
    params: dict[str, Any] = {"period": choice["period"]}
    if choice["date"]:
        params["date"] = choice["date"].isoformat()
    if choice["surface"]:
        params["surface_id"] = choice["surface"]
    card, down = await _card(request, browser, params)
    fallback = None
    if card and not choice["date"] and _measured_share(card) < 0.5:
        # newcomer: early in a period most business KPIs have no value yet; show the last period that has them.
        before = date.fromisoformat(card["period"]["start"]) - timedelta(days=1)
        earlier, _ = await _card(request, browser, {**params, "date": before.isoformat()})
        if earlier and _measured_share(earlier) > _measured_share(card):
            start, kind = card["period"]["start"], card["period"]["kind"]
            fallback = {"current_start": start, "current_day": date.fromisoformat(start), "current_kind": kind}
            card = earlier
            params["date"] = before.isoformat()
    # In the API's order: derived KPIs already stand beside their inputs (services/metrics/scorecard.py).
    columns = {key: card["columns"].get(key, []) for key, _, _ in kpi_form.COLUMNS} if card else {}
    items = [i for col in columns.values() for i in col]
    last = await _last_observed(request, browser, items)
    names = await kpi_names(request, browser, sorted({x for i in items if i.get("derived") for x in _input_ids(i)}))
    period = card["period"] if card else None
    empty_workspace = card is not None and not items and not await _any_kpi(request, browser)
    since = action_views.spark_since(period["kind"], period["start"]) if period and items else None
    done = await action_views.done_by_kpi(request, browser, since) if since else {}
    return render(
        request,
        "scorecard.html",
        {
            "nav": "scorecard",
            "choice": choice,
            "query": query,
            "card": card,
            "period": period,
            "columns": columns,
            "column_labels": kpi_form.COLUMNS,
            "period_kinds": PERIOD_KINDS,
            "surfaces": await surfaces(request, browser),
            "down": down,
            "last_observed": last,
            "input_names": names,
            "trends": TRENDS,
            "items": items,
            "empty_workspace": empty_workspace,
            "categories": kpi_form.CATEGORIES,
            "prev_date": date.fromisoformat(period["start"]) - timedelta(days=1) if period else None,
            "next_date": date.fromisoformat(period["end"]) + timedelta(days=1) if period else None,
            "export_query": urlencode(params),
            "can_edit": browser.role.at_least(Role.editor),
            "fallback": fallback,
            "done_by_kpi": done,
            "spark_period": (period["kind"], period["start"]) if period else None,
        },
    )


async def _card(request: Request, browser: BrowserContext, params: dict[str, Any]) -> tuple[dict | None, bool]:
    """The scorecard for these parameters, and whether the metrics service was down."""
    try:
        answer = await call(request, browser, "GET", "/api/v1/scorecard", params=params)
    except Down:
        return None, True
    card = answer.body if answer.status == 200 else None
    return card, card is None


# KPIs that fill themselves every period by construction (counted from feedback items, from Effekt's own tasks)
# or follow from others (formulas): a value for them says nothing about whether the month's data is in yet.
SELF_FILLING = frozenset({"feedback", "activity", "derived"})


def _measured_share(card: dict[str, Any]) -> float:
    """The share of the card's business KPIs (typed in, imported, pushed over the API, fed by connectors) that
    have a value for its period; all KPIs count only when the card has no business KPI at all."""
    items = [i for col in card.get("columns", {}).values() for i in col]
    business = [i for i in items if i.get("source") not in SELF_FILLING and not i.get("derived")]
    items = business or items
    return sum(1 for i in items if i.get("value") is not None) / len(items) if items else 1.0


def _input_ids(item: dict[str, Any]) -> list[int]:
    return [
        v
        for v in (x.get("id", x.get("kpi_id")) if isinstance(x, dict) else x for x in item.get("inputs") or [])
        if isinstance(v, int)
    ]


async def _any_kpi(request: Request, browser: BrowserContext) -> bool:
    """Whether the workspace has any KPI at all (archived too): the empty scorecard says which case it is."""
    body = await get_or_none(request, browser, "/api/v1/kpis", params={"limit": 1, "archived": "all"})
    return bool(body.get("count")) if isinstance(body, dict) else True
