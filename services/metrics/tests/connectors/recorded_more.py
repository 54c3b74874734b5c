"""Recorded answers of GA4, Search Console, Mailchimp, Jira, Zendesk, HubSpot and generic sources, in the shapes
their documentation gives, generated for the dates and pages a request asks for."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.metrics.tests.connectors.recorded import daily, days
from services.metrics.tests.connectors.vendor import Answer, Seen

ACCESS = "ya29.recorded-access-token"
GOOGLE_401 = {
    "error": {"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}
}


@lru_cache
def service_account() -> tuple[str, object]:
    """A service account key file as Google gives it, and its public key (for the token endpoint to check)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    file = {
        "type": "service_account",
        "project_id": "effekt-test",
        "private_key_id": "abc123",
        "private_key": pem.decode(),
        "client_email": "effekt@effekt-test.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    return json.dumps(file), key.public_key()


def google_token(base_url: str):
    def answer(seen: Seen) -> Answer:
        form = parse_qs(seen.body.decode())
        try:
            claims = jwt.decode(
                form["assertion"][0], service_account()[1], algorithms=["RS256"], audience=base_url + "/token"
            )
        except (jwt.PyJWTError, KeyError):
            return Answer(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"] and claims["scope"]
        return Answer(200, {"access_token": ACCESS, "expires_in": 3599, "token_type": "Bearer"})

    return answer


def _google_auth(seen: Seen) -> Answer | None:
    return None if seen.headers.get("authorization") == f"Bearer {ACCESS}" else Answer(401, GOOGLE_401)


def ga4_report(seen: Seen) -> Answer:
    """runReport: rows of dimensionValues/metricValues, rowCount, paged by offset/limit."""
    if refused := _google_auth(seen):
        return refused
    body = seen.json()
    first, last = (date.fromisoformat(body["dateRanges"][0][k]) for k in ("startDate", "endDate"))
    dimension = body["dimensions"][0]["name"]
    labels: dict[str, int] = {}
    for day in days(first, last):
        if dimension == "yearMonth":
            label = day.strftime("%Y%m")
        elif dimension == "isoYearIsoWeek":
            year, week, _ = day.isocalendar()
            label = f"{year}{week:02d}"
        else:
            label = day.strftime("%Y%m%d")
        labels[label] = labels.get(label, 0) + daily(day)
    rows = [{"dimensionValues": [{"value": k}], "metricValues": [{"value": str(v)}]} for k, v in labels.items()]
    page = rows[body.get("offset", 0) : body.get("offset", 0) + body.get("limit", 10000)]
    return Answer(
        200,
        {
            "dimensionHeaders": [{"name": dimension}],
            "metricHeaders": [{"name": body["metrics"][0]["name"], "type": "TYPE_INTEGER"}],
            "rows": page,
            "rowCount": len(rows),
            "metadata": {"currencyCode": "NOK", "timeZone": "Europe/Oslo"},
            "kind": "analyticsData#runReport",
        },
    )


def search_analytics(seen: Seen) -> Answer:
    """searchAnalytics.query: rows of keys/clicks/impressions/ctr/position, paged by startRow/rowLimit."""
    if refused := _google_auth(seen):
        return refused
    body = seen.json()
    rows = [
        {"keys": [d.isoformat()], "clicks": 10, "impressions": 100 + d.day, "ctr": 10 / (100 + d.day), "position": 4.0}
        for d in days(date.fromisoformat(body["startDate"]), date.fromisoformat(body["endDate"]))
    ]
    start = body.get("startRow", 0)
    return Answer(
        200, {"rows": rows[start : start + body.get("rowLimit", 1000)], "responseAggregationType": "byProperty"}
    )


def mailchimp_reports(seen: Seen) -> Answer:
    """GET /3.0/reports: one campaign every third day, paged by count/offset, with total_items."""
    if seen.headers.get("authorization", "").split(" ")[-1] != _basic("effekt:key-us6"):
        return Answer(
            401,
            {
                "type": "https://mailchimp.com/developer/marketing/docs/errors/",
                "title": "API Key Invalid",
                "status": 401,
                "detail": "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
            },
        )
    q = {k: v[0] for k, v in seen.query.items()}
    first = datetime.fromisoformat(q["since_send_time"]).date()
    last = datetime.fromisoformat(q["before_send_time"]).date() - timedelta(days=1)
    reports = [
        {
            "id": f"c{d.toordinal()}",
            "campaign_title": f"Newsletter {d}",
            "type": "regular",
            "list_id": "list1" if d.day % 2 else "list2",
            "emails_sent": 1000,
            "unsubscribed": 2,
            "send_time": f"{d.isoformat()}T09:00:00+00:00",
            "opens": {"opens_total": 700, "unique_opens": 450, "open_rate": 0.45},
            "clicks": {"clicks_total": 90, "unique_clicks": 80, "unique_subscriber_clicks": 75, "click_rate": 0.075},
        }
        for d in days(first, last)
        if d.toordinal() % 3 == 0
    ]
    offset, count = int(q.get("offset", 0)), int(q.get("count", 10))
    return Answer(200, {"reports": reports[offset : offset + count], "total_items": len(reports)})


def _basic(pair: str) -> str:
    import base64

    return base64.b64encode(pair.encode()).decode()


def jira_search(seen: Seen) -> Answer:
    """POST /rest/api/3/search/jql: two issues a day, paged by nextPageToken/isLast."""
    if seen.headers.get("authorization") != "Basic " + _basic("me@example.com:jira-token"):
        return Answer(401, {"errorMessages": ["Client must be authenticated to access this resource."], "errors": {}})
    body = seen.json()
    jql = body["jql"]
    first = date.fromisoformat(jql.split('>= "')[1][:10])
    after = date.fromisoformat(jql.split('< "')[1][:10])
    field = body["fields"][0]
    issues = [
        {"id": str(n), "key": f"WEB-{n}", "fields": {field: f"{d.isoformat()}T10:0{k}:00.000+0100"}}
        for n, (d, k) in enumerate((d, k) for d in days(first, after - timedelta(days=1)) for k in range(2))
    ]
    start = int(body.get("nextPageToken") or 0)
    page = issues[start : start + body["maxResults"]]
    more = start + len(page) < len(issues)
    return Answer(
        200, {"issues": page, **({"nextPageToken": str(start + len(page))} if more else {}), "isLast": not more}
    )


def jira_count(seen: Seen) -> Answer:
    return Answer(200, {"count": 17})


def zendesk_count(seen: Seen) -> Answer:
    """GET /api/v2/search/count?query=type:ticket created>=A created<B: a count."""
    if seen.headers.get("authorization") != "Basic " + _basic("agent@example.com/token:zd-token"):
        return Answer(401, {"error": "Couldn't authenticate you"})
    query = seen.query["query"][0]
    first = date.fromisoformat(query.split(">=")[1][:10])
    after = date.fromisoformat(query.split("<")[1][:10])
    return Answer(200, {"count": 3 * (after - first).days})


def zendesk_metrics(seen: Seen) -> Answer:
    """GET /api/v2/ticket_metrics: cursor pages of ticket metrics (three tickets a day for ten days)."""
    start = date(2026, 3, 1)
    rows = [
        {
            "id": n,
            "ticket_id": n,
            "created_at": f"{(start + timedelta(days=n // 3)).isoformat()}T08:00:00Z",
            "reply_time_in_minutes": {"calendar": 30 + 10 * (n % 3), "business": 20},
        }
        for n in range(30)
    ]
    size = int(seen.query.get("page[size]", ["100"])[0])
    at = int(seen.query.get("page[after]", ["0"])[0])
    page = rows[at : at + size]
    more = at + size < len(rows)
    return Answer(
        200, {"ticket_metrics": page, "meta": {"has_more": more, "after_cursor": str(at + size) if more else None}}
    )


def hubspot_search(seen: Seen) -> Answer:
    """POST /crm/v3/objects/deals/search: a deal won every day, paged by after."""
    if seen.headers.get("authorization") != "Bearer pat-eu1-token":
        return Answer(
            401,
            {
                "status": "error",
                "message": "Authentication credentials not found.",
                "category": "INVALID_AUTHENTICATION",
            },
        )
    body = seen.json()
    when = body["filterGroups"][0]["filters"][0]
    first = datetime.fromtimestamp(int(when["value"]) / 1000, UTC).date()
    last = datetime.fromtimestamp(int(when["highValue"]) / 1000, UTC).date()
    results = [
        {
            "id": str(d.toordinal()),
            "properties": {
                "closedate": f"{d.isoformat()}T12:00:00Z",
                "amount": "1500.50",
                "hs_object_id": str(d.toordinal()),
            },
        }
        for d in days(first, last)
    ]
    at = int(body.get("after") or 0)
    page = results[at : at + body["limit"]]
    more = at + body["limit"] < len(results)
    return Answer(
        200,
        {
            "total": len(results),
            "results": page,
            **({"paging": {"next": {"after": str(at + body["limit"])}}} if more else {}),
        },
    )


def generic_json(seen: Seen) -> Answer:
    if seen.headers.get("x-api-key") != "json-secret":
        return Answer(401, {"message": "Unauthorized"})
    items = [{"day": d.isoformat(), "stats": {"count": daily(d)}} for d in days(date(2026, 3, 1), date(2026, 3, 10))]
    return Answer(200, {"data": items, "meta": {"total": len(items)}})


def generic_csv(seen: Seen) -> Answer:
    if seen.headers.get("x-api-key") != "json-secret":
        return Answer(401, "Unauthorized")
    lines = ["dato;side;besøk"] + [
        f"{d.strftime('%d.%m.%Y')};{page};{daily(d)},5"
        for d in days(date(2026, 3, 1), date(2026, 3, 10))
        for page in ("/", "/blog")
    ]
    return Answer(200, "\n".join(lines).encode())


def mailchimp_expected(first: date, last: date, list_id: str) -> dict[str, float]:
    """Unique opens per month of the recorded campaigns of one audience."""
    out: dict[str, float] = {}
    for d in days(first, last):
        if d.toordinal() % 3 == 0 and ("list1" if d.day % 2 else "list2") == list_id:
            key = d.replace(day=1).isoformat()
            out[key] = out.get(key, 0) + 450.0
    return out
