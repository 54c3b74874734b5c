"""Plausible Analytics: Stats API v2, `POST /api/v2/query` with a bearer key (plausible.io or self-hosted).

One query per feed: the metric over the date range with a time dimension of the feed's period (`time:day`,
`time:week`, `time:month`), Plausible aggregating per period itself; results come back as
`{"results": [{"dimensions": ["2026-03-02"], "metrics": [412]}], "meta": {...}}`, paged by
`pagination.limit/offset`. A page-path filter is `["is", "event:page", [path]]`; a goal's conversions are the
`visitors` metric with `["is", "event:goal", [goal]]`."""

from __future__ import annotations

from datetime import date

from services.metrics.connectors.http import Vendor
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

LABEL = "Plausible"
PAGE = 10_000  # Plausible's largest page
DIMENSION = {"day": "time:day", "week": "time:week", "month": "time:month"}
# Our metric -> Plausible's metric name.
METRICS = {
    "visitors": "visitors",
    "visits": "visits",
    "pageviews": "pageviews",
    "bounce_rate": "bounce_rate",
    "visit_duration": "visit_duration",
    "conversions": "visitors",
}


def _filters(request: Request) -> list:
    if request.metric == "conversions":
        return [["is", "event:goal", [request.filter or ""]]]
    if request.filter:
        return [["contains" if request.filter.endswith("*") else "is", "event:page", [request.filter.rstrip("*")]]]
    return []


def _headers(source: Source) -> dict[str, str]:
    return {"authorization": f"Bearer {source.secrets.get('api_key', '')}", "content-type": "application/json"}


def _row(item: object) -> tuple[date, float]:
    if not isinstance(item, dict) or not isinstance(item.get("dimensions"), list) or not item["dimensions"]:
        raise malformed(LABEL, "a result without its dimensions")
    values = item.get("metrics")
    if not isinstance(values, list) or not values:
        raise malformed(LABEL, "a result without its metrics")
    return parse_day(item["dimensions"][0], LABEL), number(values[0], "metric", LABEL)


async def fetch(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    """The metric per period of the range, as Plausible aggregates it."""
    body = {
        "site_id": source.setting("site_id"),
        "metrics": [METRICS[request.metric]],
        "date_range": [request.start.isoformat(), request.end.isoformat()],
        "dimensions": [DIMENSION[request.period.value]],
        "filters": _filters(request),
        "pagination": {"limit": PAGE, "offset": 0},
    }
    out: dict[date, float] = {}
    while True:
        answer = await vendor.json("POST", base(source.base_url) + "/api/v2/query", json=body, headers=_headers(source))
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list):
            raise malformed(LABEL, "no results list")
        for item in results:
            day, value = _row(item)
            out[period_start(day, request.period)] = value
        if len(results) < body["pagination"]["limit"]:
            return out
        body["pagination"] = {"limit": body["pagination"]["limit"], "offset": body["pagination"]["offset"] + PAGE}


async def check(vendor: Vendor, source: Source) -> str:
    """Ask for today's visitors: it proves the key, the site and the URL."""
    body = {"site_id": source.setting("site_id"), "metrics": ["visitors"], "date_range": "day"}
    answer = await vendor.json("POST", base(source.base_url) + "/api/v2/query", json=body, headers=_headers(source))
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise malformed(LABEL, "no results list")
    return f"Connected to Plausible: site {source.setting('site_id')} answers."


SPEC = KindSpec(
    kind="plausible",
    label=LABEL,
    category=ConnectorCategory.web_analytics,
    settings=(
        FieldSpec(
            "site_id", "Site domain", "The domain as it is written in your Plausible dashboard", True, "example.com"
        ),
        FieldSpec(
            "base_url",
            "Plausible address (self-hosted only)",
            "Leave empty for plausible.io; for a self-hosted Plausible, its address",
            False,
            "https://plausible.example.com",
        ),
    ),
    credentials=(
        FieldSpec(
            "api_key",
            "Stats API key",
            "In Plausible: Account Settings > API Keys > New API Key, type Stats API (shown once)",
        ),
    ),
    metrics=(
        Metric("visitors", "Unique visitors", "Page path (optional; end with * for a prefix)"),
        Metric("visits", "Visits", "Page path (optional)"),
        Metric("pageviews", "Pageviews", "Page path (optional)"),
        Metric("bounce_rate", "Bounce rate (%)", "Page path (optional)"),
        Metric("visit_duration", "Visit duration (s)", "Page path (optional)"),
        Metric("conversions", "Goal conversions", "Goal name", filter_required=True),
    ),
    fetch=fetch,
    check=check,
    unauthorized="the API key is wrong, revoked, or not a Stats API key for this site",
    url_setting="plausible_url",
    docs="https://plausible.io/docs/stats-api",
)
