"""Google Search Console: Search Analytics `sites/{siteUrl}/searchAnalytics/query`, as a service account.

Rows by `date` (`{"rows": [{"keys": ["2026-03-02"], "clicks": 10, "impressions": 300, "ctr": 0.033,
"position": 7.1}]}`), paged by `startRow` and `rowLimit`. Weeks and months are built from the days: clicks and
impressions summed, CTR as clicks over impressions, position weighted by impressions (as Search Console does)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from urllib.parse import quote

from services.metrics.connectors.http import Vendor
from services.metrics.connectors.kinds import google
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
    period_start,
)

LABEL = "Search Console"
SCOPE = "https://www.googleapis.com/auth/webmasters.readonly"
PAGE = 25_000
METRICS = ("clicks", "impressions", "ctr", "position")


def _url(source: Source) -> str:
    site = quote(source.setting("site_url"), safe="")
    return f"{base(source.base_url)}/webmasters/v3/sites/{site}/searchAnalytics/query"


def _body(request: Request, start_row: int) -> dict:
    body = {
        "startDate": request.start.isoformat(),
        "endDate": request.end.isoformat(),
        "dimensions": ["date"],
        "rowLimit": PAGE,
        "startRow": start_row,
        "dataState": "all",
    }
    if request.filter:
        page = {"dimension": "page", "operator": "contains", "expression": request.filter}
        body["dimensionFilterGroups"] = [{"filters": [page]}]
    return body


async def _days(vendor: Vendor, source: Source, request: Request) -> list[tuple[date, float, float, float]]:
    rows: list[tuple[date, float, float, float]] = []
    while True:
        headers = await google.headers(vendor, source, SCOPE)
        answer = await vendor.json("POST", _url(source), json=_body(request, len(rows)), headers=headers)
        page = answer.get("rows", []) if isinstance(answer, dict) else None
        if not isinstance(page, list):
            raise malformed(LABEL, "rows is not a list")
        for row in page:
            if not isinstance(row, dict) or not isinstance(row.get("keys"), list) or not row["keys"]:
                raise malformed(LABEL, "a row without its date")
            day = parse_day(row["keys"][0], LABEL)
            figures = [number(row.get(name, 0), name, LABEL) for name in ("clicks", "impressions", "position")]
            rows.append((day, *figures))
        if len(page) < PAGE:
            return rows


async def fetch(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    """The metric per period from the daily rows."""
    sums: dict[date, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for day, clicks, impressions, position in await _days(vendor, source, request):
        total = sums[period_start(day, request.period)]
        total[0] += clicks
        total[1] += impressions
        total[2] += position * impressions
    out = {}
    for start, (clicks, impressions, weighted) in sums.items():
        if request.metric == "clicks":
            out[start] = clicks
        elif request.metric == "impressions":
            out[start] = impressions
        elif impressions:
            out[start] = clicks / impressions if request.metric == "ctr" else weighted / impressions
    return out


async def check(vendor: Vendor, source: Source) -> str:
    """The site's entry: proves the key and the account's access to the property."""
    url = f"{base(source.base_url)}/webmasters/v3/sites/{quote(source.setting('site_url'), safe='')}"
    answer = await vendor.json("GET", url, headers=await google.headers(vendor, source, SCOPE))
    level = answer.get("permissionLevel", "unknown") if isinstance(answer, dict) else "unknown"
    return f"Connected to Search Console: {source.setting('site_url')} (access: {level})."


SPEC = KindSpec(
    kind="search_console",
    label=LABEL,
    category=ConnectorCategory.web_analytics,
    settings=(
        FieldSpec(
            "site_url",
            "Property",
            "As Search Console lists it: https://www.example.com/ for a URL-prefix property, sc-domain:example.com "
            "for a domain property; add the service account's email under Settings > Users and permissions",
            True,
            "sc-domain:example.com",
        ),
    ),
    credentials=(FieldSpec("service_account_json", "Service account key (JSON)", google.KEY_HELP),),
    metrics=(
        Metric("clicks", "Clicks", "Page URL contains (optional)"),
        Metric("impressions", "Impressions", "Page URL contains (optional)"),
        Metric("ctr", "CTR (0..1)", "Page URL contains (optional)"),
        Metric("position", "Average position", "Page URL contains (optional)"),
    ),
    fetch=fetch,
    check=check,
    unauthorized="the service account key is wrong, or the account is not a user of this property",
    url_setting="search_console_url",
    docs="https://developers.google.com/webmaster-tools/v1/searchanalytics/query",
)
