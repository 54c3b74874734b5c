"""Zendesk Support: search counts (`GET /api/v2/search/count?query=...`) and ticket metrics, as an API token.

Tickets created or solved in a period: one count per period, `{"count": 12}` for
`type:ticket created>=2026-03-02 created<2026-03-03`. First reply time: `GET /api/v2/ticket_metrics` with cursor
paging (`{"ticket_metrics": [{"created_at", "reply_time_in_minutes": {"calendar": 33}}], "meta": {"has_more",
"after_cursor"}}`), averaged per period of the tickets' creation. Basic auth `email/token:api_token`."""

from __future__ import annotations

import asyncio
import base64
from collections import defaultdict
from datetime import date, timedelta

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
    parse_day,
    period_start,
    periods,
)

LABEL = "Zendesk"
PAGE = 100
MAX_PAGES = 200
FIELD = {"created": "created", "solved": "solved"}


def _headers(source: Source) -> dict[str, str]:
    pair = f"{source.setting('email')}/token:{source.secrets.get('api_token', '')}"
    return {"authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


async def _count(vendor: Vendor, source: Source, request: Request, first: date, last: date) -> float:
    field = FIELD[request.metric]
    terms = f"type:ticket {field}>={first.isoformat()} {field}<{(last + timedelta(days=1)).isoformat()}"
    query = f"{terms} {request.filter}" if request.filter else terms
    url = base(source.base_url) + "/api/v2/search/count"
    answer = await vendor.json("GET", url, params={"query": query}, headers=_headers(source))
    if not isinstance(answer, dict) or not isinstance(answer.get("count"), int):
        raise malformed(LABEL, "no count")
    return float(answer["count"])


async def _reply_times(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    url = base(source.base_url) + "/api/v2/ticket_metrics"
    params = {"page[size]": str(PAGE)}
    minutes: dict[date, list[float]] = defaultdict(list)
    for _ in range(MAX_PAGES):
        answer = await vendor.json("GET", url, params=params, headers=_headers(source))
        rows = answer.get("ticket_metrics") if isinstance(answer, dict) else None
        if not isinstance(rows, list):
            raise malformed(LABEL, "no ticket_metrics list")
        for row in rows:
            day = parse_day(row.get("created_at"), LABEL) if isinstance(row, dict) else None
            value = ((row or {}).get("reply_time_in_minutes") or {}).get("calendar")
            if day and request.start <= day <= request.end and isinstance(value, int | float):
                minutes[period_start(day, request.period)].append(float(value))
        meta = answer.get("meta") or {}
        if not meta.get("has_more") or not meta.get("after_cursor"):
            break
        params["page[after]"] = meta["after_cursor"]
    return {start: sum(values) / len(values) for start, values in minutes.items()}


async def fetch(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    """Tickets created or solved per period, or the mean first reply time (minutes) of the tickets created."""
    if request.metric == "first_reply_minutes":
        return await _reply_times(vendor, source, request)
    spans = periods(request.start, request.end, request.period)
    counts = [_count(vendor, source, request, first, last) for first, last in spans]
    return dict(zip([first for first, _ in spans], await asyncio.gather(*counts), strict=True))


async def check(vendor: Vendor, source: Source) -> str:
    """Who the token is."""
    answer = await vendor.json("GET", base(source.base_url) + "/api/v2/users/me.json", headers=_headers(source))
    user = answer.get("user") if isinstance(answer, dict) else None
    if not isinstance(user, dict) or not user.get("id"):
        raise malformed(LABEL, "no user (is API token access turned on?)")
    return f"Connected to Zendesk as {str(user.get('name', '?'))[:100]}."


SPEC = KindSpec(
    kind="zendesk",
    label=LABEL,
    category=ConnectorCategory.help_desk,
    settings=(
        FieldSpec(
            "subdomain", "Zendesk subdomain", "The part before .zendesk.com", True, "yourcompany", r"[A-Za-z0-9-]{1,63}"
        ),
        FieldSpec("email", "Agent email", "The email of the agent the token acts as", True, "agent@example.com"),
    ),
    credentials=(
        FieldSpec(
            "api_token",
            "API token",
            "In Zendesk Admin Center: Apps and integrations > APIs > Zendesk API > Settings, turn on Token "
            "access, then Add API token",
        ),
    ),
    metrics=(
        Metric("created", "Tickets created", "More search terms, e.g. tags:complaint (optional)"),
        Metric("solved", "Tickets solved", "More search terms (optional)"),
        Metric("first_reply_minutes", "First reply time (minutes)"),
    ),
    fetch=fetch,
    check=check,
    unauthorized="the email or API token is wrong, or token access is turned off",
    url_setting="zendesk_url",
    docs="https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/",
)
