"""The small interface every kind of connector has, and the period arithmetic they share.

A kind says which settings and credentials it needs (with the vendor's own words for where to find them),
which metrics it offers, how to check a connection, and how to fetch one metric for one period over a range of
dates: `fetch` returns {period_start: value}. Where the vendor aggregates by period itself (visitors are not
additive), the kind asks it per period; where values are counts, the kind counts by day and `bucket` sums."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from services.metrics.connectors.http import Vendor, VendorError
from services.metrics.observations.models import Period


class ConnectorCategory(StrEnum):
    """What sort of tool a connector kind reads from, to group them in the picker."""

    web_analytics = "web analytics"
    newsletter = "newsletter"
    issue_tracker = "issue tracker"
    help_desk = "help desk"
    crm = "CRM"
    other = "other"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    help: str = ""  # where to find it, in the vendor's words
    required: bool = True
    placeholder: str = ""
    pattern: str = ""  # a full-match regex the value must meet (e.g. a subdomain that goes into a URL)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    filter_label: str | None = None  # what the feed's filter means for this metric, if it takes one
    filter_required: bool = False


@dataclass
class Source:
    """A connector as a kind sees it at run time: settings, opened secrets, the vendor's base URL."""

    settings: dict[str, Any]
    secrets: dict[str, str]
    base_url: str
    token_url: str = ""  # kinds that exchange a key for an access token (Google)
    cache: dict[str, Any] = field(default_factory=dict)  # per run: e.g. an access token

    def setting(self, name: str, default: str = "") -> str:
        value = self.settings.get(name, default)
        return str(value).strip() if value is not None else default


@dataclass(frozen=True)
class Request:
    metric: str
    filter: str | None
    period: Period
    start: date  # first day of the first period
    end: date  # last day wanted (today at most)


Fetch = Callable[[Vendor, Source, Request], Awaitable[dict[date, float]]]
Check = Callable[[Vendor, Source], Awaitable[str]]


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str
    category: ConnectorCategory
    settings: tuple[FieldSpec, ...]
    credentials: tuple[FieldSpec, ...]
    metrics: tuple[Metric, ...]
    fetch: Fetch
    check: Check
    unauthorized: str  # what a 401 means, in words
    url_setting: str | None = None  # name of the service setting with the vendor's base URL (None: self-hosted)
    docs: str = ""
    # What fills the braces of the base URL setting beyond the settings (Mailchimp's data centre, from its key).
    url_values: Callable[[dict[str, str]], dict[str, str]] | None = None

    def metric(self, key: str) -> Metric | None:
        return next((m for m in self.metrics if m.key == key), None)


def period_start(day: date, period: Period) -> date:
    """The first day of the period that holds `day`: itself, its Monday, or the 1st."""
    if period == Period.week:
        return day - timedelta(days=day.weekday())
    if period == Period.month:
        return day.replace(day=1)
    return day


def next_start(start: date, period: Period) -> date:
    """The first day of the period after the one starting at `start`."""
    if period == Period.day:
        return start + timedelta(days=1)
    if period == Period.week:
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def periods(start: date, end: date, period: Period) -> list[tuple[date, date]]:
    """(first, last) day of each period from the one holding `start` through the one holding `end`."""
    out = []
    current = period_start(start, period)
    while current <= end:
        following = next_start(current, period)
        out.append((current, min(following - timedelta(days=1), end)))
        current = following
    return out


def bucket(days: Iterable[tuple[date, float]], period: Period, start: date, end: date) -> dict[date, float]:
    """Daily counts summed into periods, every period of the range present (0 where nothing happened)."""
    out = {first: 0.0 for first, _ in periods(start, end, period)}
    for day, value in days:
        if start <= day <= end:
            out[period_start(day, period)] += value
    return out


def number(value: Any, what: str, label: str) -> float:
    """A vendor's figure as a float; VendorError naming it when it is not a number."""
    if isinstance(value, bool):
        raise VendorError(f"{label} answered with a {what} that is not a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%"))
        except ValueError:
            pass
    raise VendorError(f"{label} answered with a {what} that is not a number ({str(value)[:40]!r})")


def malformed(label: str, what: str) -> VendorError:
    """The error for an answer that is not in the vendor's documented shape."""
    return VendorError(f"{label} answered in an unexpected shape: {what}")


def parse_day(value: Any, label: str) -> date:
    """A vendor's date ('2026-03-02' or an ISO datetime) as a date."""
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise malformed(label, f"{str(value)[:40]!r} is not a date") from None


def base(url: str) -> str:
    return url.rstrip("/")
