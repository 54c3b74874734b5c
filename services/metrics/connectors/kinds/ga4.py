"""Google Analytics 4: the Data API's `properties/{id}:runReport`, signed in as a service account.

One report per feed: the metric by `date`, `isoYearIsoWeek` or `yearMonth` (GA4 aggregates users per period
itself), optionally filtered to a page path prefix; rows come as
`{"rows": [{"dimensionValues": [{"value": "20260302"}], "metricValues": [{"value": "412"}]}], "rowCount": N}`,
paged by `limit` and `offset`."""

from __future__ import annotations

from datetime import date

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
)

LABEL = "Google Analytics"
SCOPE = "https://www.googleapis.com/auth/analytics.readonly"
PAGE = 10_000
DIMENSION = {"day": "date", "week": "isoYearIsoWeek", "month": "yearMonth"}
METRICS = {"sessions": "sessions", "users": "totalUsers", "key_events": "keyEvents", "revenue": "totalRevenue"}


def _start_of(value: str, period: str) -> date:
    """GA4's period label as its first day: 20260302, 202610 (ISO week), 202603."""
    try:
        if period == "day":
            return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        if period == "week":
            return date.fromisocalendar(int(value[:4]), int(value[4:6]), 1)
        return date(int(value[:4]), int(value[4:6]), 1)
    except (ValueError, IndexError):
        raise malformed(LABEL, f"{value[:20]!r} is not a {period}") from None


def _body(request: Request) -> dict:
    body = {
        "dateRanges": [{"startDate": request.start.isoformat(), "endDate": request.end.isoformat()}],
        "dimensions": [{"name": DIMENSION[request.period.value]}],
        "metrics": [{"name": METRICS[request.metric]}],
        "limit": PAGE,
        "offset": 0,
        "keepEmptyRows": True,
    }
    if request.filter:
        string = {"matchType": "BEGINS_WITH", "value": request.filter}
        body["dimensionFilter"] = {"filter": {"fieldName": "pagePath", "stringFilter": string}}
    return body


def _url(source: Source) -> str:
    return f"{base(source.base_url)}/v1beta/properties/{source.setting('property_id')}:runReport"


async def fetch(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    """The metric per period, as GA4 aggregates it."""
    body = _body(request)
    out: dict[date, float] = {}
    while True:
        headers = await google.headers(vendor, source, SCOPE)
        answer = await vendor.json("POST", _url(source), json=body, headers=headers)
        if not isinstance(answer, dict):
            raise malformed(LABEL, "not a report")
        rows = answer.get("rows", [])
        if not isinstance(rows, list):
            raise malformed(LABEL, "rows is not a list")
        for row in rows:
            try:
                label, value = row["dimensionValues"][0]["value"], row["metricValues"][0]["value"]
            except (KeyError, IndexError, TypeError):
                raise malformed(LABEL, "a row without its dimension or metric value") from None
            out[_start_of(str(label), request.period.value)] = number(value, "metric value", LABEL)
        body["offset"] += PAGE
        if not rows or body["offset"] >= int(answer.get("rowCount") or 0):
            return out


async def check(vendor: Vendor, source: Source) -> str:
    """Yesterday's sessions: proves the key, the property and the account's access to it."""
    body = {"dateRanges": [{"startDate": "yesterday", "endDate": "today"}], "metrics": [{"name": "sessions"}]}
    answer = await vendor.json("POST", _url(source), json=body, headers=await google.headers(vendor, source, SCOPE))
    if not isinstance(answer, dict):
        raise malformed(LABEL, "not a report")
    return f"Connected to Google Analytics: property {source.setting('property_id')} answers."


SPEC = KindSpec(
    kind="ga4",
    label=LABEL,
    category=ConnectorCategory.web_analytics,
    settings=(
        FieldSpec(
            "property_id",
            "Property ID",
            "In Google Analytics: Admin > Property settings > Property details, PROPERTY ID (digits only); "
            "add the service account's email under Admin > Property access management as Viewer",
            True,
            "123456789",
        ),
    ),
    credentials=(FieldSpec("service_account_json", "Service account key (JSON)", google.KEY_HELP),),
    metrics=(
        Metric("sessions", "Sessions", "Page path begins with (optional)"),
        Metric("users", "Users", "Page path begins with (optional)"),
        Metric("key_events", "Key events (conversions)", "Page path begins with (optional)"),
        Metric("revenue", "Total revenue", "Page path begins with (optional)"),
    ),
    fetch=fetch,
    check=check,
    unauthorized="the service account key is wrong, or the account has no Viewer access to this property",
    url_setting="ga4_url",
    docs="https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/properties/runReport",
)
