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
