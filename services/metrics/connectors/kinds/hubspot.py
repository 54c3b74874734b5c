"""HubSpot CRM: the search API (`POST /crm/v3/objects/{deals|contacts}/search`) with a private app token.

Deals won: deals in stage `closedwon` (or the stage the filter names) by `closedate`; their amount summed;
new contacts by `createdate`. Answers are `{"total": N, "results": [{"id", "properties": {...}}],
"paging": {"next": {"after": "100"}}}`, paged by `after` (HubSpot's search stops at 10,000 results)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

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

LABEL = "HubSpot"
PAGE = 100  # the search API's largest limit
MAX_RESULTS = 10_000
# Our metric -> (object, date property, summed property or None for a count)
METRICS = {
    "deals_won": ("deals", "closedate", None),
    "deals_won_amount": ("deals", "closedate", "amount"),
    "new_contacts": ("contacts", "createdate", None),
}


def _ms(day: date) -> str:
    return str(int(datetime.combine(day, time(0), tzinfo=UTC).timestamp() * 1000))


def _body(request: Request, after: str | None) -> dict:
    obj, when, amount = METRICS[request.metric]
    filters = [
        {
            "propertyName": when,
            "operator": "BETWEEN",
            "value": _ms(request.start),
            "highValue": str(int(_ms(request.end + timedelta(days=1))) - 1),
        }
    ]
    if obj == "deals":
        filters.append({"propertyName": "dealstage", "operator": "EQ", "value": request.filter or "closedwon"})
    body = {
        "filterGroups": [{"filters": filters}],
        "properties": [p for p in (when, amount) if p],
        "sorts": [{"propertyName": when, "direction": "ASCENDING"}],
        "limit": PAGE,
    }
    if after:
        body["after"] = after
    return body


async def fetch(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    """Deals won (count or amount) or new contacts per period."""
    obj, when, amount = METRICS[request.metric]
    url = f"{base(source.base_url)}/crm/v3/objects/{obj}/search"
    headers = {"authorization": f"Bearer {source.secrets.get('access_token', '')}"}
    days: list[tuple[date, float]] = []
    after: str | None = None
    while True:
        answer = await vendor.json("POST", url, json=_body(request, after), headers=headers)
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list):
            raise malformed(LABEL, "no results list")
        for item in results:
            props = item.get("properties") if isinstance(item, dict) else None
            if not isinstance(props, dict) or not props.get(when):
                raise malformed(LABEL, f"a result without its {when}")
            value = number(props.get(amount) or 0, amount, LABEL) if amount else 1.0
            days.append((parse_day(props[when], LABEL), value))
        after = ((answer.get("paging") or {}).get("next") or {}).get("after")
        if not after or len(days) >= MAX_RESULTS:
            return bucket(days, request.period, request.start, request.end)


async def check(vendor: Vendor, source: Source) -> str:
    """One deal: proves the token and its crm.objects.deals.read scope."""
    url = f"{base(source.base_url)}/crm/v3/objects/deals"
    headers = {"authorization": f"Bearer {source.secrets.get('access_token', '')}"}
    answer = await vendor.json("GET", url, params={"limit": "1"}, headers=headers)
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise malformed(LABEL, "no results list")
    return "Connected to HubSpot: deals can be read."


SPEC = KindSpec(
    kind="hubspot",
    label=LABEL,
    category=ConnectorCategory.crm,
    settings=(),
    credentials=(
        FieldSpec(
            "access_token",
            "Private app access token",
            "In HubSpot: Settings > Integrations > Private Apps > Create a private app, scopes "
            "crm.objects.deals.read and crm.objects.contacts.read; then Show token",
        ),
    ),
    metrics=(
        Metric("deals_won", "Deals won", "Deal stage id (optional: closedwon)"),
        Metric("deals_won_amount", "Amount of deals won", "Deal stage id (optional: closedwon)"),
        Metric("new_contacts", "New contacts"),
    ),
    fetch=fetch,
    check=check,
    unauthorized="the access token is wrong, expired, or lacks the CRM read scopes",
    url_setting="hubspot_url",
    docs="https://developers.hubspot.com/docs/api/crm/search",
)
