"""One goal: its page (description, owner, period, KPIs, children, history, breadcrumb), its map panel; the map."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend import effect_map, goal_tree, i18n
from frontend.backend import call, get_or_none, is_htmx, people, refusal
from frontend.deps import WorkspaceDep
from frontend.pages.strategy import surfaces_by_id
from frontend.templating import format_day, render
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()


@router.get("/strategy/map")
async def map_page(request: Request, browser: WorkspaceDep):
    tree = await get_or_none(request, browser, "/api/v1/goals/tree", params={"archived": "false"})
    roots = tree["data"] if isinstance(tree, dict) else []
    lang = i18n.pick_language(request, browser.user.locale)
    tr = i18n.translations(lang)
    _ = tr.gettext
    # In English "means" is one and many; the column headings are plurals, the level names singular.
    columns = [
        tr.pgettext("effect map column", "Strategic goals"),
        tr.pgettext("effect map column", "Strategic means"),
        tr.pgettext("effect map column", "Tactical means"),
        tr.pgettext("effect map column", "KPIs"),
    ]
    drawing = effect_map.layout(
        roots,
        labels=effect_map.Labels(
            columns=columns,
            status={k: _(v) for k, v in goal_tree.STATUS_LABELS.items()},
            levels={k: _(v) for k, v in goal_tree.LEVEL_LABELS.items()},
            kpi=_("KPI"),
        ),
    )
    return render(
        request,
        "effect_map.html",
        {
            "nav": "strategy",
            "drawing": drawing,
            "down": tree is None,
            "empty": tree is not None and not roots,
            "kpis_unavailable": bool(tree and tree.get("kpis_unavailable")),
        },
    )


@router.get("/goals/{goal_id}")
async def goal_page(request: Request, browser: WorkspaceDep, goal_id: int):
    goal = await _goal(request, browser, goal_id)
    history = await get_or_none(request, browser, f"/api/v1/goals/{goal_id}/history", params={"limit": 100})
    members = await people(request, browser)
    surfaces = await surfaces_by_id(request, browser)
    events = history.get("data", []) if isinstance(history, dict) else None
    kpi_names = await _kpi_names(request, browser, goal, events or [])
    names = _names(request, browser, members, surfaces, kpi_names)
    return render(
        request,
        "goal.html",
        {
            "nav": "strategy",
            "goal": goal,
            "people": members,
            "surfaces": surfaces,
            "levels": goal_tree.LEVEL_LABELS,
            "kpi_names": kpi_names,
            "events": [goal_tree.describe(e, names) for e in events] if events is not None else None,
            "history_count": history.get("count", 0) if isinstance(history, dict) else 0,
            "can_edit": browser.role.at_least(Role.editor),
        },
    )


@router.get("/goals/{goal_id}/panel")
async def goal_panel(request: Request, browser: WorkspaceDep, goal_id: int):
    """The map's side panel for one goal; a browser that asks for it as a page gets the goal's page."""
    if not is_htmx(request):
        return RedirectResponse(f"/goals/{goal_id}", status_code=303)
    goal = await _goal(request, browser, goal_id)
    return render(
        request,
        "_goal_panel.html",
        {
            "goal": goal,
            "people": await people(request, browser),
            "surfaces": await surfaces_by_id(request, browser),
            "levels": goal_tree.LEVEL_LABELS,
        },
    )


async def _goal(request: Request, browser: BrowserContext, goal_id: int) -> dict[str, Any]:
    answer = await call(request, browser, "GET", f"/api/v1/goals/{goal_id}")
    if answer.status != 200:
        raise refusal(answer)
    return answer.body


async def _kpi_names(
    request: Request, browser: BrowserContext, goal: dict[str, Any], events: list[dict[str, Any]]
) -> dict[int, str]:
    """Names of the KPIs the goal links and its history mentions (unlinked ones too), from metrics."""
    names = {k["kpi_id"]: k["name"] for k in goal.get("kpis", []) if k.get("name")}
    mentioned = {
        pair[i]
        for e in events
        for key, pair in (e.get("changes") or {}).items()
        if key == "kpi_id" and isinstance(pair, list)
        for i in (0, 1)
        if isinstance(pair[i], int)
    }
    missing = sorted(mentioned - set(names))
    if missing:
        body = await get_or_none(
            request,
            browser,
            "/api/v1/kpis",
            params={"ids": ",".join(map(str, missing[:500])), "archived": "all", "limit": 500},
        )
        names |= {k["id"]: k["name"] for k in body.get("data", [])} if isinstance(body, dict) else {}
    return names


def _names(
    request: Request, browser: BrowserContext, members: dict, surfaces: dict, kpis: dict[int, str]
) -> goal_tree.Names:
    lang = i18n.pick_language(request, browser.user.locale)
    _ = i18n.translations(lang).gettext

    def person(user_id: int | None) -> str:
        found = members.get(user_id)
        return found.name if found else _("a former member")

    return goal_tree.Names(
        person=person,
        surface=lambda i: surfaces[i]["name"] if i in surfaces else _("Surface %(id)s") % {"id": i},
        kpi=lambda i: kpis.get(i) or _("KPI %(id)s") % {"id": i},
        day=lambda d: format_day(d, lang),
    )
