"""Mailchimp: the Marketing API's campaign reports (`GET /3.0/reports`), the newsletter surface.

Each report is one sent campaign: `{"reports": [{"id", "list_id", "send_time", "emails_sent", "unsubscribed",
"opens": {"unique_opens"}, "clicks": {"unique_subscriber_clicks"}}], "total_items": N}`, paged by `count` and
`offset`. Values count on the day a campaign was sent and sum into weeks and months. Basic auth with any user
name and the API key; the key's suffix (`-us6`) names the data centre in the base URL."""

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
    number,
    parse_day,
)

LABEL = "Mailchimp"
PAGE = 1000  # Mailchimp's largest count
# Our metric -> the path to its figure in a report.
METRICS = {
    "sends": ("emails_sent",),
    "opens": ("opens", "unique_opens"),
    "clicks": ("clicks", "unique_subscriber_clicks"),
    "unsubscribes": ("unsubscribed",),
}


def data_centre(secrets: dict[str, str]) -> dict[str, str]:
    key = secrets.get("api_key", "")
    return {"dc": key.rsplit("-", 1)[1] if "-" in key else "us1"}


def _headers(source: Source) -> dict[str, str]:
    token = base64.b64encode(f"effekt:{source.secrets.get('api_key', '')}".encode()).decode()
    return {"authorization": f"Basic {token}"}


def _figure(report: dict, path: tuple[str, ...]) -> float:
    value = report
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return number(value if value is not None else 0, path[-1], LABEL)


async def _reports(vendor: Vendor, source: Source, start: date, end: date) -> list[dict]:
    out: list[dict] = []
    params = {
        "count": str(PAGE),
        "offset": "0",
        "since_send_time": f"{start.isoformat()}T00:00:00+00:00",
        "before_send_time": f"{(end + timedelta(days=1)).isoformat()}T00:00:00+00:00",
    }
    while True:
        answer = await vendor.json(
            "GET", base(source.base_url) + "/3.0/reports", params=params, headers=_headers(source)
        )
        page = answer.get("reports") if isinstance(answer, dict) else None
        if not isinstance(page, list):
            raise malformed(LABEL, "no reports list")
        out += page
        if not page or len(out) >= int(answer.get("total_items") or 0):
            return out
        params["offset"] = str(len(out))


async def fetch(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    """The metric summed over the campaigns sent in each period (only the audience named, if any)."""
    path = METRICS[request.metric]
    audience = request.filter or source.setting("list_id")
    days = []
    for report in await _reports(vendor, source, request.start, request.end):
        if not isinstance(report, dict) or "send_time" not in report:
            raise malformed(LABEL, "a report without its send_time")
        if audience and report.get("list_id") != audience:
            continue
        days.append((parse_day(report["send_time"], LABEL), _figure(report, path)))
    return bucket(days, request.period, request.start, request.end)


async def check(vendor: Vendor, source: Source) -> str:
    """The account's name: proves the key and its data centre."""
    answer = await vendor.json("GET", base(source.base_url) + "/3.0/", headers=_headers(source))
    name = answer.get("account_name", "?") if isinstance(answer, dict) else "?"
    return f"Connected to Mailchimp: account {str(name)[:100]!r}."


SPEC = KindSpec(
    kind="mailchimp",
    label=LABEL,
    category=ConnectorCategory.newsletter,
    settings=(
        FieldSpec(
            "list_id",
            "Audience ID (optional)",
            "In Mailchimp: Audience > All contacts > Settings > Audience name and defaults, Audience ID; "
            "empty counts every audience",
            False,
            "a1b2c3d4e5",
        ),
    ),
    credentials=(
        FieldSpec(
            "api_key",
            "API key",
            "In Mailchimp: Profile > Extras > API keys > Create A Key (it ends in your data centre, e.g. -us6)",
        ),
    ),
    metrics=(
        Metric("sends", "Emails sent", "Audience ID (optional)"),
        Metric("opens", "Unique opens", "Audience ID (optional)"),
        Metric("clicks", "Unique clicks", "Audience ID (optional)"),
        Metric("unsubscribes", "Unsubscribes", "Audience ID (optional)"),
    ),
    fetch=fetch,
    check=check,
    unauthorized="the API key is wrong or was disabled",
    url_setting="mailchimp_url",
    docs="https://mailchimp.com/developer/marketing/api/reports/list-campaign-reports/",
    url_values=data_centre,
)
