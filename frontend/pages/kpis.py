"""KPIs: the list (category, surface, search, sort, pages, archived), adding one (from the library), archiving."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from frontend import i18n, kpi_form, sparkline
from frontend.backend import N_, SERVICE_DOWN, Down, call, get_or_none, int_or_none, is_htmx, people, refusal
from frontend.deps import WorkspaceDep
from frontend.pages import kpi as kpi_page
from frontend.templating import render, templates
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()
sparkline.install(templates.env)

STATUSES = {"active": N_("Active KPIs"), "archived": N_("Archived KPIs"), "all": N_("All KPIs")}
SORTS = {
    "name": N_("Name, A–Z"),
    "-name": N_("Name, Z–A"),
    "category": N_("Category"),
    "-updated_at": N_("Recently changed"),
    "-created_at": N_("Newest first"),
}
ARCHIVED_PARAM = {"active": "false", "archived": "true", "all": "all"}
PER_PAGE = 25
REFUSED = {"archive": "in_use", "restore": "taken"}


@dataclass(frozen=True, slots=True)
class Filters:
    """What the list shows, as the URL carries it."""

    q: str = ""
    category: str = ""
    surface: int | None = None
    status: str = "active"
    sort: str = "name"
    page: int = 1

    @classmethod
    def parse(cls, params: Any) -> Filters:
        """From query or form parameters; anything unknown falls back to the default rather than failing."""
        get = params.get
        return cls(
            q=(get("q") or "").strip()[:200],
            category=get("category") if get("category") in kpi_form.CATEGORIES else "",
            surface=int_or_none(get("surface")),
            status=get("status") if get("status") in STATUSES else "active",
            sort=get("sort") if get("sort") in SORTS else "name",
            page=max(1, min(int_or_none(get("page")) or 1, 10_000)),
        )

    def api(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "archived": ARCHIVED_PARAM[self.status],
            "sort": self.sort,
            "limit": PER_PAGE,
            "offset": (self.page - 1) * PER_PAGE,
        }
        if self.q:
            params["q"] = self.q
        if self.category:
            params["category"] = self.category
        if self.surface and 0 < self.surface < 2**31:
            params["surface_id"] = self.surface
        return params

    def query(self, **changes: Any) -> str:
        """This list's query string, with changes."""
        f = replace(self, **changes)
        pairs = {
            "q": f.q,
            "category": f.category,
            "surface": f.surface or "",
            "status": f.status if f.status != "active" else "",
            "sort": f.sort if f.sort != "name" else "",
            "page": f.page if f.page > 1 else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.category or self.surface or self.status != "active")


@router.get("/kpis")
async def kpis_page(
    request: Request,
    browser: WorkspaceDep,
    created: int | None = None,
    preset: str | None = None,
    refused: str | None = None,
):
    filters = Filters.parse(request.query_params)
    form = None
    if preset:
        presets = await _library(request, browser)
        chosen = next((p for p in presets if p["key"] == preset), None)
        if chosen is not None:
            form = kpi_form.from_preset(chosen, browser.user.id, _gettext(request, browser))
    notice = {"created": created} if created else {refused: True} if refused in REFUSED.values() else None
    return await list_page(request, browser, filters, form=form, notice=notice, prefilled=form is not None)


@router.post("/kpis")
async def create_kpi(request: Request, browser: WorkspaceDep, back: Annotated[str, Form(max_length=2000)] = ""):
    form = kpi_form.read(await request.form())
    filters = Filters.parse(dict(parse_qsl(back)))
    try:
        target = kpi_form.target_value(form)  # checked first: the KPI is not made when its target cannot be kept
    except ValueError:
        return await list_page(
            request, browser, filters, form=form, errors={"target": kpi_form.TARGET_ERROR}, status=422
        )
    try:
        answer = await call(request, browser, "POST", "/api/v1/kpis", payload=kpi_form.payload(form, creating=True))
        if answer.ok and target is not None:
            await _set_target(request, browser, answer.body["id"], target)
    except Down:
        return await list_page(request, browser, filters, form=form, errors={"": SERVICE_DOWN}, status=503)
    if answer.status in (409, 422):
        return await list_page(request, browser, filters, form=form, errors=kpi_form.errors(answer), status=422)
    if not answer.ok:
        raise refusal(answer)
    if not is_htmx(request):
        query = "&".join(q for q in (filters.query(page=1), f"created={answer.body['id']}") if q)
        return RedirectResponse(f"/kpis?{query}", status_code=303)
    return await list_page(
        request, browser, filters, notice={"created": answer.body["id"], "name": answer.body["name"]}
    )


@router.post("/kpis/{kpi_id}/archive")
async def archive_kpi(
    request: Request, browser: WorkspaceDep, kpi_id: int, back: Annotated[str, Form(max_length=2000)] = ""
):
    return await _set_archived(request, browser, kpi_id, back, "archive")


@router.post("/kpis/{kpi_id}/restore")
async def restore_kpi(
    request: Request, browser: WorkspaceDep, kpi_id: int, back: Annotated[str, Form(max_length=2000)] = ""
):
    return await _set_archived(request, browser, kpi_id, back, "restore")


async def _set_archived(request: Request, browser: BrowserContext, kpi_id: int, back: str, verb: str):
    """From the KPI's own page (back = "detail") or from the list (back = the list's query string)."""
    answer = await call(request, browser, "POST", f"/api/v1/kpis/{kpi_id}/{verb}")
    if answer.status != 409 and not answer.ok:
        raise refusal(answer)
    # 409: archiving a KPI another formula uses, or restoring one whose name or inputs are taken or gone.
    key = verb if answer.ok else REFUSED[verb]
    if back == "detail":
        if not is_htmx(request):
            return RedirectResponse(f"/kpis/{kpi_id}?notice={key}", status_code=303)
        return await kpi_page.detail_page(request, browser, kpi_id, notice=key)
    filters = Filters.parse(dict(parse_qsl(back)))
    if not is_htmx(request):
        query = "&".join(q for q in (filters.query(), "" if answer.ok else f"refused={key}") if q)
        return RedirectResponse(f"/kpis?{query}", status_code=303)
    return await list_page(
        request, browser, filters, notice={key: kpi_id, "name": answer.body["name"]} if answer.ok else {key: kpi_id}
    )


async def _set_target(request: Request, browser: BrowserContext, kpi_id: int, target: float) -> None:
    """The add form's target: for every period of this year (the KPI's page sets others)."""
    year = browser.principal.today().year
    body = [{"period_start": f"{year}-01-01", "period_end": f"{year}-12-31", "target": target}]
    answer = await call(request, browser, "PUT", f"/api/v1/kpis/{kpi_id}/targets", payload=body)
    if not answer.ok:
        raise refusal(answer)


def _gettext(request: Request, browser: BrowserContext):
    return i18n.translations(i18n.pick_language(request, browser.user.locale)).gettext


async def _library(request: Request, browser: BrowserContext) -> list[dict[str, Any]]:
    return kpi_form.library(await get_or_none(request, browser, "/api/v1/kpis/library"))


async def list_page(
    request: Request,
    browser: BrowserContext,
    filters: Filters,
    *,
    form: dict | None = None,
    errors: dict | None = None,
    notice: dict | None = None,
    status: int = 200,
    prefilled: bool = False,
):
    rows, count, down = [], 0, False
    try:
        answer = await call(request, browser, "GET", "/api/v1/kpis", params=filters.api())
        if answer.status == 200:
            rows, count = answer.body["data"], answer.body["count"]
        else:
            down = True
    except Down:
        down = True
    can_edit = browser.role.at_least(Role.editor)
    return render(
        request,
        "kpis.html",
        {
            "nav": "kpis",
            "filters": filters,
            "rows": rows,
            "count": count,
            "pages": max(1, -(-count // PER_PAGE)),
            "down": down,
            "people": await people(request, browser),
            "surfaces": await kpi_page.surfaces(request, browser),
            "statuses": STATUSES,
            "sorts": SORTS,
            "library": await _library(request, browser) if can_edit else [],
            "form": form or kpi_form.blank(browser.user.id),
            "errors": errors or {},
            "notice": notice or {},
            "can_edit": can_edit,
            "prefilled": prefilled,
            "open_form": prefilled or bool(errors) or (not rows and not down and not filters.filtered),
            **kpi_page.LABELS,
        },
        status=status,
    )


router.include_router(kpi_page.router)
