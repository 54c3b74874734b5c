"""Anything else: JSON over HTTP (JSONPaths to the items, and in each to the value and the date) and CSV from a URL.

Each item (or CSV row) gives a date and a value; the values of one period are summed, averaged or the last one
taken, as the connector's `aggregate` setting says (sum by default). An optional header carries a secret
(e.g. `Authorization: Bearer ...`); it is a credential, so never shown again."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime

from services.metrics.connectors.http import Vendor, VendorError
from services.metrics.connectors.kinds import jsonpath
from services.metrics.connectors.kinds.base import (
    ConnectorCategory,
    FieldSpec,
    KindSpec,
    Metric,
    Request,
    Source,
    malformed,
    number,
    period_start,
)

AGGREGATES = ("sum", "mean", "last")
HEADER = FieldSpec(
    "header_value", "Header value (optional)", "e.g. Bearer abc123, sent in the header named above", False
)
HEADER_NAME = FieldSpec(
    "header_name", "Header name (optional)", "e.g. Authorization", False, "Authorization", r"[A-Za-z0-9-]{1,64}"
)
AGGREGATE = FieldSpec("aggregate", "Values of one period", "sum (default), mean or last", False, "sum", "sum|mean|last")


def _headers(source: Source) -> dict[str, str]:
    name, value = source.setting("header_name"), source.secrets.get("header_value", "")
    return {name: value} if name and value else {}


def _when(value: object, label: str) -> date:
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d"):
        try:
            return datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date()
        except ValueError:
            continue
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 10**9:
        return datetime.fromtimestamp(value / 1000 if value > 10**11 else value).date()
    raise malformed(label, f"{text[:30]!r} is not a date")


def combine(pairs: list[tuple[date, float]], request: Request, how: str) -> dict[date, float]:
    """The pairs in the range as one value per period."""
    groups: dict[date, list[float]] = defaultdict(list)
    for day, value in sorted(pairs, key=lambda p: p[0]):
        if request.start <= day <= request.end:
            groups[period_start(day, request.period)].append(value)
    if how == "mean":
        return {k: sum(v) / len(v) for k, v in groups.items()}
    if how == "last":
        return {k: v[-1] for k, v in groups.items()}
    return {k: sum(v) for k, v in groups.items()}


async def fetch_json(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    """The items the paths point at, as values per period."""
    method = source.setting("method", "GET").upper()
    answer = await vendor.json(method, source.setting("url"), headers=_headers(source))
    try:
        items = jsonpath.find(answer, source.setting("items_path", "$[*]"))
        pairs = []
        for item in items:
            raw_date, raw_value = (
                jsonpath.first(item, source.setting("date_path")),
                jsonpath.first(item, source.setting("value_path")),
            )
            if raw_date is None or raw_value is None:
                raise malformed(vendor.label, "an item without its date or value at the paths set")
            pairs.append((_when(raw_date, vendor.label), number(raw_value, "value", vendor.label)))
    except jsonpath.PathError as exc:
        raise VendorError(f"{vendor.label}: {exc}") from None
    return combine(pairs, request, source.setting("aggregate", "sum"))


def _decimal(text: str) -> str:
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    return text.replace(",", ".") if "," in text and "." not in text else text.replace(",", "")


async def fetch_csv(vendor: Vendor, source: Source, request: Request) -> dict[date, float]:
    """The rows of a CSV file (those whose filter column matches the feed's filter) as values per period."""
    resp = await vendor.request("GET", source.setting("url"), headers=_headers(source))
    text = resp.content.decode("utf-8-sig", errors="replace")
    delimiter = source.setting("delimiter") or (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    date_col, value_col, filter_col = (source.setting(n) for n in ("date_column", "value_column", "filter_column"))
    if not reader.fieldnames or date_col not in reader.fieldnames or value_col not in reader.fieldnames:
        raise malformed(vendor.label, f"the file has no columns {date_col!r} and {value_col!r}")
    pairs = []
    for row in reader:
        if request.filter and filter_col and (row.get(filter_col) or "").strip() != request.filter:
            continue
        if not (row.get(value_col) or "").strip():
            continue
        pairs.append((_when(row[date_col], vendor.label), number(_decimal(row[value_col]), "value", vendor.label)))
    return combine(pairs, request, source.setting("aggregate", "sum"))


async def check_json(vendor: Vendor, source: Source) -> str:
    answer = await vendor.json(source.setting("method", "GET").upper(), source.setting("url"), headers=_headers(source))
    items = jsonpath.find(answer, source.setting("items_path", "$[*]"))
    return f"Connected: the address answers JSON with {len(items)} items at the path set."


async def check_csv(vendor: Vendor, source: Source) -> str:
    resp = await vendor.request("GET", source.setting("url"), headers=_headers(source))
    lines = resp.content.decode("utf-8-sig", errors="replace").count("\n")
    return f"Connected: the address answers a file of {lines} lines."


UNAUTHORIZED = "the address refused the request; check the header name and value"
JSON = KindSpec(
    kind="json",
    label="JSON source",
    category=ConnectorCategory.other,
    settings=(
        FieldSpec("url", "Address", "The URL that answers JSON", True, "https://api.example.com/stats"),
        FieldSpec("method", "Method", "GET (default) or POST", False, "GET", "GET|POST|get|post"),
        FieldSpec("items_path", "Items (JSONPath)", "Where the list of items is, e.g. $.data[*]", False, "$.data[*]"),
        FieldSpec("date_path", "Date in each item (JSONPath)", "e.g. $.date", True, "$.date"),
        FieldSpec("value_path", "Value in each item (JSONPath)", "e.g. $.count", True, "$.count"),
        HEADER_NAME,
        AGGREGATE,
    ),
    credentials=(HEADER,),
    metrics=(Metric("value", "The value at the path"),),
    fetch=fetch_json,
    check=check_json,
    unauthorized=UNAUTHORIZED,
)
CSV = KindSpec(
    kind="csv",
    label="CSV source",
    category=ConnectorCategory.other,
    settings=(
        FieldSpec("url", "Address", "The URL of the CSV file", True, "https://example.com/export.csv"),
        FieldSpec("date_column", "Date column", "Its header, e.g. date (YYYY-MM-DD or DD.MM.YYYY)", True, "date"),
        FieldSpec("value_column", "Value column", "Its header, e.g. visits", True, "value"),
        FieldSpec("filter_column", "Filter column (optional)", "Rows whose value here is the feed's filter", False),
        FieldSpec("delimiter", "Delimiter (optional)", "; or , (guessed from the header line)", False, ";", "[;,\t|]"),
        HEADER_NAME,
        AGGREGATE,
    ),
    credentials=(HEADER,),
    metrics=(Metric("value", "The value column", "Value of the filter column (optional)"),),
    fetch=fetch_csv,
    check=check_csv,
    unauthorized=UNAUTHORIZED,
)
