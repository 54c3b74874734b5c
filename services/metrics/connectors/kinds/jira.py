"""Jira Cloud: REST v3 search with JQL (`POST /rest/api/3/search/jql`), Basic auth with an email and API token.

Issues created or resolved per period are counted from one paged search over the range
(`{"issues": [{"key", "fields": {"created", "resolutiondate"}}], "nextPageToken": "...", "isLast": false}`);
open issues are `POST /rest/api/3/search/approximate-count` (`{"count": N}`) for the current period."""

from __future__ import annotations

import base64
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
    bucket,
    malformed,
    parse_day,
    period_start,
)

LABEL = "Jira"
PAGE = 100
MAX_PAGES = 500  # 50,000 issues a feed and run: beyond it the range is too wide to count by listing
FIELD = {"created": "created", "resolved": "resolutiondate"}


def _headers(source: Source) -> dict[str, str]:
    pair = f"{source.setting('email')}:{source.secrets.get('api_token', '')}"
    return {"authorization": "Basic " + base64.b64encode(pair.encode()).decode(), "accept": "application/json"}


def _jql(request: Request, field: str, start: date, end: date) -> str:
    scope = f"({request.filter}) AND " if request.filter else ""
    after = (end + timedelta(days=1)).isoformat()
    return f'{scope}{field} >= "{start.isoformat()}" AND {field} < "{after}" ORDER BY {field} ASC'


async def _dates(vendor: Vendor, source: Source, request: Request) -> list[date]:
    field = FIELD[request.metric]
    jql = _jql(request, "resolved" if request.metric == "resolved" else "created", request.start, request.end)
    body: dict = {"jql": jql, "fields": [field], "maxResults": PAGE}
    url = base(source.base_url) + "/rest/api/3/search/jql"
    out: list[date] = []
    for _ in range(MAX_PAGES):
        answer = await vendor.json("POST", url, json=body, headers=_headers(source))
        issues = answer.get("issues") if isinstance(answer, dict) else None
        if not isinstance(issues, list):
            raise malformed(LABEL, "no issues list")
        for issue in issues:
            value = (issue.get("fields") or {}).get(field) if isinstance(issue, dict) else None
            if value:
                out.append(parse_day(value, LABEL))
        token = answer.get("nextPageToken")
        if answer.get("isLast", True) or not token:
            return out
        body["nextPageToken"] = token
    raise malformed(LABEL, f"more than {MAX_PAGES * PAGE} issues for one feed; narrow the JQL")


async def _open(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    scope = f"({request.filter}) AND " if request.filter else ""
    url = base(source.base_url) + "/rest/api/3/search/approximate-count"
    answer = await vendor.json("POST", url, json={"jql": f"{scope}statusCategory != Done"}, headers=_headers(source))
    if not isinstance(answer, dict) or not isinstance(answer.get("count"), int):
        raise malformed(LABEL, "no count")
    return {period_start(request.end, request.period): float(answer["count"])}


async def fetch(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    """Issues created or resolved per period, or those open now."""
    if request.metric == "open":
        return await _open(vendor, source, request)
    days = [(day, 1.0) for day in await _dates(vendor, source, request)]
    return bucket(days, request.period, request.start, request.end)


async def check(vendor: Vendor, source: Source) -> str:
    """Who the token is: proves the site address, the email and the token."""
    answer = await vendor.json("GET", base(source.base_url) + "/rest/api/3/myself", headers=_headers(source))
    name = answer.get("displayName", "?") if isinstance(answer, dict) else "?"
    return f"Connected to Jira as {str(name)[:100]}."


SPEC = KindSpec(
    kind="jira",
    label=LABEL,
    category=ConnectorCategory.issue_tracker,
    settings=(
        FieldSpec(
            "base_url", "Jira site", "The address of your Jira Cloud site", True, "https://your-team.atlassian.net"
        ),
        FieldSpec("email", "Atlassian account email", "The email you sign in to Jira with", True, "you@example.com"),
    ),
    credentials=(
        FieldSpec(
            "api_token",
            "API token",
            "At id.atlassian.com: Account settings > Security > Create and manage API tokens > Create API token",
        ),
    ),
    metrics=(
        Metric("created", "Issues created", "JQL, e.g. project = WEB AND type = Bug (optional)"),
        Metric("resolved", "Issues resolved", "JQL (optional)"),
        Metric("open", "Issues open now", "JQL (optional)"),
    ),
    fetch=fetch,
    check=check,
    unauthorized="the email or API token is wrong, or the account cannot browse these projects",
    url_setting=None,
    docs="https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/",
)
