"""Surfaces: the list (filters, sorting, pages), adding one, archiving and restoring."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from frontend.backend import N_, SERVICE_DOWN, Down, call, int_or_none, is_htmx, people, refusal
from frontend.deps import WorkspaceDep
from frontend.templating import render
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()

KINDS = {
    "website": N_("Website"),
    "web_shop": N_("Web shop"),
    "intranet": N_("Intranet"),
    "customer_portal": N_("Customer portal"),
    "app": N_("App"),
    "newsletter": N_("Newsletter"),
    "social_media": N_("Social media"),
    "other": N_("Other"),
}
CADENCES = {
    "monthly": N_("Monthly"),
    "quarterly": N_("Quarterly"),
    "half_yearly": N_("Half-yearly"),
    "yearly": N_("Yearly"),
}
STATUSES = {"active": N_("Active surfaces"), "archived": N_("Archived surfaces"), "all": N_("All surfaces")}
SORTS = {
    "name": N_("Name, A–Z"),
    "-name": N_("Name, Z–A"),
    "kind": N_("Kind"),
    "cadence": N_("Cadence"),
    "-created_at": N_("Newest first"),
    "created_at": N_("Oldest first"),
}
ARCHIVED_PARAM = {"active": "false", "archived": "true", "all": "all"}
PER_PAGE = 20
SURFACE_ERRORS = {
    "name": N_("Enter a name of at most 200 characters."),
    "kind": N_("Choose what kind of surface this is."),
    "url": N_("Enter a full address that starts with https:// or http://, or leave the field empty."),
    "owner_id": N_("Choose a member of this workspace, or no owner."),
    "cadence": N_("Choose how often the surface is measured."),
    "period_start": N_("Enter the day the current measurement period began."),
}
FIELDS = ("name", "kind", "url", "owner_id", "cadence", "period_start")


@dataclass(frozen=True, slots=True)
class Filters:
    """What the list shows: the filter form's fields and the page, as the URL carries them."""

    q: str = ""
    kind: str = ""
    status: str = "active"
    sort: str = "name"
    page: int = 1

    @classmethod
    def parse(cls, params: Any) -> Filters:
        """From query or form parameters; anything unknown falls back to the default rather than failing."""
        get = params.get
        page = int_or_none(get("page")) or 1
        return cls(
            q=(get("q") or "").strip()[:200],
            kind=get("kind") if get("kind") in KINDS else "",
            status=get("status") if get("status") in STATUSES else "active",
            sort=get("sort") if get("sort") in SORTS else "name",
            page=max(1, min(page, 10_000)),
        )

    def api(self) -> dict[str, Any]:
        params = {
            "archived": ARCHIVED_PARAM[self.status],
            "sort": self.sort,
            "limit": PER_PAGE,
            "offset": (self.page - 1) * PER_PAGE,
        }
        if self.q:
            params["q"] = self.q
        if self.kind:
            params["kind"] = self.kind
        return params

    def query(self, **changes: Any) -> str:
        """This list's query string, with changes (a new filter starts again at page 1)."""
        f = replace(self, **changes)
        pairs = {
            "q": f.q,
            "kind": f.kind,
            "status": f.status if f.status != "active" else "",
            "sort": f.sort if f.sort != "name" else "",
            "page": f.page if f.page > 1 else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})


@router.get("/surfaces")
async def surfaces_page(request: Request, browser: WorkspaceDep, created: int | None = None):
    filters = Filters.parse(request.query_params)
    return await list_page(request, browser, filters, notice={"created": created} if created else None)


@router.post("/surfaces")
async def create_surface(request: Request, browser: WorkspaceDep, back: Annotated[str, Form(max_length=2000)] = ""):
    form = await surface_form(request)
    filters = Filters.parse(dict(parse_qsl(back)))
    try:
        answer = await call(request, browser, "POST", "/api/v1/surfaces", payload=payload(form, creating=True))
    except Down:
        return await list_page(request, browser, filters, form=form, errors={"": SERVICE_DOWN}, status=503)
    if answer.status == 422:
        return await list_page(
            request, browser, filters, form=form, errors=answer.field_errors(SURFACE_ERRORS), status=422
        )
    if not answer.ok:
        raise refusal(answer)
    if not is_htmx(request):
        query = "&".join(q for q in (filters.query(page=1), f"created={answer.body['id']}") if q)
        return RedirectResponse(f"/surfaces?{query}", status_code=303)
    return await list_page(
        request, browser, filters, notice={"created": answer.body["id"], "name": answer.body["name"]}
    )


async def surface_form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {f: str(data.get(f, "")).strip() for f in FIELDS}


def payload(form: dict[str, str], *, creating: bool) -> dict[str, Any]:
    """The JSON the API takes: empty optional fields are null (on create they are left out)."""
    out: dict[str, Any] = {
        "name": form["name"],
        "kind": form["kind"] or None,
        "cadence": form["cadence"] or None,
        "period_start": form["period_start"] or None,
        "url": form["url"] or None,
        "owner_id": int_or_none(form["owner_id"]),
    }
    if creating:
        out = {k: v for k, v in out.items() if v is not None or k in ("name", "kind", "period_start")}
    return out


def blank_form(owner_id: int | None = None) -> dict[str, str]:
    """A new surface: a quarterly website, owned by whoever adds it, whose period began on the first of this month."""
    return {
        "name": "",
        "kind": "website",
        "url": "",
        "owner_id": str(owner_id or ""),
        "cadence": "quarterly",
        "period_start": date.today().replace(day=1).isoformat(),
    }


async def list_page(
    request: Request,
    browser: BrowserContext,
    filters: Filters,
    *,
    form: dict | None = None,
    errors: dict | None = None,
    notice: dict | None = None,
    status: int = 200,
):
    members = await people(request, browser)
    rows, count, down = [], 0, False
    try:
        answer = await call(request, browser, "GET", "/api/v1/surfaces", params=filters.api())
        if answer.status == 200:
            rows, count = answer.body["data"], answer.body["count"]
        else:
            down = True
    except Down:
        down = True
    pages = max(1, -(-count // PER_PAGE))
    return render(
        request,
        "surfaces.html",
        {
            "nav": "surfaces",
            "filters": filters,
            "rows": rows,
            "count": count,
            "pages": pages,
            "down": down,
            "people": members,
            "kinds": KINDS,
            "cadences": CADENCES,
            "statuses": STATUSES,
            "sorts": SORTS,
            "form": form or blank_form(browser.user.id),
            "errors": errors or {},
            "notice": notice or {},
            "can_edit": browser.role.at_least(Role.editor),
            "open_form": bool(errors) or (not rows and not down and not filters.q and not filters.kind),
        },
        status=status,
    )
