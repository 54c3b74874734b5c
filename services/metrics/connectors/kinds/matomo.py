"""Matomo: the Reporting API (`index.php?module=API&method=...&format=JSON`), `token_auth` sent as a POST field.

VisitsSummary.get and Goals.get over `period=day|week|month&date=START,END` answer one entry per period keyed
by its date ("2026-03-02", "2026-03-02,2026-03-08" or "2026-03"), an empty list for a period without data.
Errors come as HTTP 200 with `{"result": "error", "message": ...}`. A page filter is a segment
`pageUrl=@<text>`; long ranges go in yearly slices, so no answer grows without bound."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from services.metrics.connectors.http import Vendor, VendorError
from services.metrics.connectors.kinds.base import (
    ConnectorCategory,
    FieldSpec,
    KindSpec,
    Metric,
    Request,
    Source,
    base,
    malformed,
    number,
    parse_day,
)

LABEL = "Matomo"
SLICE_DAYS = 366
# Our metric -> (API method, field of its answer).
METRICS = {
    "visits": ("VisitsSummary.get", "nb_visits"),
    "unique_visitors": ("VisitsSummary.get", "nb_uniq_visitors"),
    "actions": ("VisitsSummary.get", "nb_actions"),
    "bounce_rate": ("VisitsSummary.get", "bounce_rate"),
    "conversions": ("Goals.get", "nb_conversions"),
    "revenue": ("Goals.get", "revenue"),
}
GOAL_METRICS = {"conversions", "revenue"}
AUTH_WORDS = ("token_auth", "access", "authenticat", "login")


def _params(source: Source, request: Request, start: date, end: date) -> dict[str, str]:
    method, _ = METRICS[request.metric]
    params = {
        "module": "API",
        "method": method,
        "idSite": source.setting("site_id"),
        "period": request.period.value,
        "date": f"{start.isoformat()},{end.isoformat()}",
        "format": "JSON",
    }
    if request.metric in GOAL_METRICS and request.filter:
        params["idGoal"] = request.filter
    elif request.filter:
        params["segment"] = f"pageUrl=@{request.filter}"
    return params


async def _call(vendor: Vendor, source: Source, params: dict[str, str]) -> Any:
    url = base(source.base_url) + "/index.php"
    # token_auth in the POST body, as Matomo advises: never in a URL that a proxy or a log would keep
    answer = await vendor.json("POST", url, params=params, data={"token_auth": source.secrets.get("token_auth", "")})
    if isinstance(answer, dict) and answer.get("result") == "error":
        message = str(answer.get("message") or "no reason given")[:300]
        if any(word in message.lower() for word in AUTH_WORDS):
            raise VendorError(f"{LABEL} answered 401: {vendor.unauthorized} ({message})")
        raise VendorError(f"{LABEL} refused the request: {message}")
    return answer


def _entry(key: str, value: Any, field: str) -> tuple[date, float] | None:
    if value == [] or value is None:  # no data that period
        return None
    if not isinstance(value, dict):
        raise malformed(LABEL, f"the entry for {key[:24]!r} is not an object")
    first = key.split(",")[0]
    day = parse_day(first + "-01" if len(first) == 7 else first, LABEL)
    raw = value.get(field, 0)
    return day, number(raw, field, LABEL)


async def fetch(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    """The metric per period, as Matomo aggregates it, in yearly slices."""
    _, field = METRICS[request.metric]
    out: dict[date, float] = {}
    start = request.start
    while start <= request.end:
        end = min(start + timedelta(days=SLICE_DAYS - 1), request.end)
        answer = await _call(vendor, source, _params(source, request, start, end))
        if not isinstance(answer, dict):
            raise malformed(LABEL, "not one entry per period")
        for key, value in answer.items():
            entry = _entry(str(key), value, field)
            if entry:
                out[entry[0]] = entry[1]
        start = end + timedelta(days=1)
    return out


async def check(vendor: Vendor, source: Source) -> str:
    """Ask for the site's name: proves the address, the token and view access to the site."""
    params = {"module": "API", "method": "SitesManager.getSiteFromId", "idSite": source.setting("site_id")}
    answer = await _call(vendor, source, {**params, "format": "JSON"})
    if not isinstance(answer, dict) or "name" not in answer:
        raise malformed(LABEL, "no site in the answer")
    return f"Connected to Matomo: site {source.setting('site_id')} is {str(answer['name'])[:100]!r}."


SPEC = KindSpec(
    kind="matomo",
    label=LABEL,
    category=ConnectorCategory.web_analytics,
    settings=(
        FieldSpec("base_url", "Matomo address", "The address you open Matomo at", True, "https://matomo.example.com"),
        FieldSpec("site_id", "Site ID", "In Matomo: Administration > Websites > Manage, the ID column", True, "1"),
    ),
    credentials=(
        FieldSpec(
            "token_auth",
            "Auth token",
            "In Matomo: Administration (gear) > Personal > Security > Auth tokens > Create new token; "
            "the user needs at least view access to the site",
        ),
    ),
    metrics=(
        Metric("visits", "Visits", "Page URL contains (optional)"),
        Metric("unique_visitors", "Unique visitors", "Page URL contains (optional)"),
        Metric("actions", "Actions", "Page URL contains (optional)"),
        Metric("bounce_rate", "Bounce rate (%)", "Page URL contains (optional)"),
        Metric("conversions", "Goal conversions", "Goal ID (optional: all goals)"),
        Metric("revenue", "Goal revenue", "Goal ID (optional: all goals)"),
    ),
    fetch=fetch,
    check=check,
    unauthorized="the token is wrong or lacks view access",
    url_setting=None,
    docs="https://developer.matomo.org/api-reference/reporting-api",
)
