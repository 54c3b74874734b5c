"""Recorded answers in each vendor's documented shapes, generated for the dates a request asks about."""

from __future__ import annotations

from datetime import date, timedelta

from services.metrics.tests.connectors.vendor import Answer, Seen


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def daily(day: date) -> int:
    """A made-up but stable figure per day."""
    return 100 + day.toordinal() % 50


def plausible_query(seen: Seen) -> Answer:
    """POST /api/v2/query: {"results": [{"dimensions": [day], "metrics": [n]}], "meta": {}, "query": {...}}."""
    query = seen.json()
    if isinstance(query["date_range"], str):
        return Answer(200, {"results": [{"metrics": [42], "dimensions": []}], "meta": {}, "query": query})
    first, last = (date.fromisoformat(d) for d in query["date_range"])
    dimension = query.get("dimensions", ["time:day"])[0]
    if dimension == "time:month":
        starts = sorted({d.replace(day=1) for d in days(first, last)})
    elif dimension == "time:week":
        starts = sorted({d - timedelta(days=d.weekday()) for d in days(first, last)})
    else:
        starts = days(first, last)
    rows = [{"dimensions": [d.isoformat()], "metrics": [daily(d)]} for d in starts]
    page = query.get("pagination", {"limit": 10000, "offset": 0})
    chunk = rows[page["offset"] : page["offset"] + page["limit"]]
    return Answer(200, {"results": chunk, "meta": {}, "query": query})


def matomo_api(seen: Seen) -> Answer:
    """index.php?module=API&method=VisitsSummary.get|Goals.get&period=..&date=A,B: one entry per period."""
    q = {k: v[0] for k, v in seen.query.items()}
    if seen.form().get("token_auth", [""])[0] != "good-token":
        return Answer(
            200,
            {
                "result": "error",
                "message": "You can't access this resource as it requires 'view' access for the website id = 1.",
            },
        )
    if q["method"] == "SitesManager.getSiteFromId":
        return Answer(200, {"idsite": q["idSite"], "name": "Example site", "main_url": "https://example.com"})
    first, last = (date.fromisoformat(d) for d in q["date"].split(","))
    out: dict = {}
    for day in days(first, last):
        if q["period"] == "month":
            key = day.strftime("%Y-%m")
        elif q["period"] == "week":
            monday = day - timedelta(days=day.weekday())
            key = f"{monday.isoformat()},{(monday + timedelta(days=6)).isoformat()}"
        else:
            key = day.isoformat()
        if day.day == 15 and q["period"] == "day":
            out[key] = []  # Matomo's empty period
            continue
        if q["method"] == "Goals.get":
            out[key] = {"nb_conversions": 3, "nb_visits_converted": 3, "revenue": 12.5, "conversion_rate": "2.1%"}
        else:
            out[key] = {
                "nb_uniq_visitors": daily(day) - 10,
                "nb_visits": daily(day),
                "nb_actions": daily(day) * 3,
                "bounce_rate": "41%",
                "avg_time_on_site": 95,
            }
    return Answer(200, out)
