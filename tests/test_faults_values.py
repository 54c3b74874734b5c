"""Huge and far values: bounded where the API takes them (and said so in the schema); pages never fail on them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from sqlalchemy import text

from frontend import formatting, sparkline
from kit.fields import MAX_VALUE
from tests import support

MONTH = date.today().replace(day=1)


@contextlib.contextmanager
def signed_in(live, account) -> Iterator[httpx.Client]:
    with live.client() as c:
        csrf = c.get("/signin").cookies["effekt_csrf"]
        r = c.post("/signin", data={"email": account.email, "password": account.password, "csrf_token": csrf})
        assert r.status_code == 303, r.text
        yield c


def make_kpi(client, account, **extra) -> int:
    r = client.post(
        "/api/v1/kpis",
        headers=account.headers(),
        json={"name": "Revenue", "unit": "currency", "currency_code": "NOK", "category": "result", **extra},
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def fields_of(r: httpx.Response) -> list[str]:
    return [e["field"] for e in r.json().get("errors", [])]


def test_numbers_and_dates_beyond_the_bounds_are_refused_naming_the_field(client, account):
    h = account.headers()
    r = client.post("/api/v1/kpis", headers=h, json={"name": "X", "baseline_value": 1e28})
    assert r.status_code == 422 and "baseline_value" in fields_of(r), r.text
    kpi = make_kpi(client, account)
    month = MONTH.isoformat()
    r = client.post(
        "/api/v1/observations/batch",
        headers=h,
        json={"observations": [{"kpi_id": kpi, "period": "month", "period_start": month, "value": 1e28}]},
    )
    assert r.status_code == 422 and "observations.0.value" in fields_of(r), r.text
    r = client.put(
        f"/api/v1/kpis/{kpi}/targets", headers=h, json=[{"period_start": month, "period_end": month, "target": 1e28}]
    )
    assert r.status_code == 422 and any(f.endswith("target") for f in fields_of(r)), r.text
    surface = {"name": "Far", "kind": "website", "cadence": "monthly"}
    r = client.post("/api/v1/surfaces", headers=h, json={**surface, "period_start": "9999-12-01"})
    assert r.status_code == 422 and "period_start" in fields_of(r), r.text
    r = client.post("/api/v1/surfaces", headers=h, json={**surface, "period_start": "1899-12-01"})
    assert r.status_code == 422 and "period_start" in fields_of(r), r.text
    r = client.post(
        "/api/v1/periods", headers=h, json={"name": "Far", "starts_on": "2026-01-01", "ends_on": "9999-12-31"}
    )
    assert r.status_code == 422 and "ends_on" in fields_of(r), r.text


def test_the_schema_documents_the_bounds(client):
    doc = client.get("/api/openapi.json").json()
    schemas = doc["components"]["schemas"]
    value = schemas["ObservationIn"]["properties"]["value"] if "ObservationIn" in schemas else None
    values = [
        p
        for s in schemas.values()
        for name, p in s.get("properties", {}).items()
        if name in ("value", "target", "baseline_value")
    ]
    flat = [v for p in values for v in ([p] + p.get("anyOf", []))]
    assert any(v.get("maximum") == MAX_VALUE and v.get("minimum") == -MAX_VALUE for v in flat), values
    assert value is None or value.get("maximum") == MAX_VALUE
    starts = [
        v
        for s in schemas.values()
        for name, p in s.get("properties", {}).items()
        if name == "period_start"
        for v in [p] + p.get("anyOf", [])
    ]
    assert any(v.get("formatMaximum") == "2200-12-31" for v in starts), starts


def test_the_largest_values_and_the_farthest_dates_render(client, live, account):
    h = account.headers()
    kpi = make_kpi(client, account)
    month = MONTH.isoformat()
    pushed = client.post(
        "/api/v1/observations/batch",
        headers=h,
        json={"observations": [{"kpi_id": kpi, "period": "month", "period_start": month, "value": MAX_VALUE}]},
    )
    assert pushed.status_code == 200, pushed.text
    put = client.put(
        f"/api/v1/kpis/{kpi}/targets",
        headers=h,
        json=[{"period_start": month, "period_end": month, "target": -MAX_VALUE}],
    )
    assert put.status_code == 200, put.text
    far = client.post(
        "/api/v1/surfaces",
        headers=h,
        json={"name": "Far", "kind": "website", "cadence": "yearly", "period_start": "2200-12-01"},
    )
    assert far.status_code == 201, far.text
    with signed_in(live, account) as browser:
        for url in (f"/kpis/{kpi}", "/kpis", "/scorecard", "/surfaces", f"/surfaces/{far.json()['id']}", "/"):
            r = browser.get(url)
            assert r.status_code == 200, (url, r.status_code)
        assert "1,000,000,000,000,000" in browser.get(f"/kpis/{kpi}").text.replace("\u00a0", " ")
    assert client.get(f"/api/v1/surfaces/{far.json()['id']}", headers=h).status_code == 200


def test_a_stored_value_beyond_the_bounds_still_renders(client, live, account):
    """Figures stored before the bounds (or derived ones) may be anything a float holds: pages show them."""
    from effekt.registry import PARTS
    from kit.db import make_engine

    kpi = make_kpi(client, account)
    month = MONTH.isoformat()
    client.post(
        "/api/v1/observations/batch",
        headers=account.headers(),
        json={"observations": [{"kpi_id": kpi, "period": "month", "period_start": month, "value": 1}]},
    )
    engine = make_engine(PARTS["metrics"].database_url())
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE observations SET value = 1e28 WHERE kpi_id = :k"), {"k": kpi})
    finally:
        engine.dispose()
    with signed_in(live, account) as browser:
        for url in (f"/kpis/{kpi}", "/kpis", "/scorecard"):
            r = browser.get(url)
            assert r.status_code == 200, (url, r.status_code)
    assert support  # the live stack's databases, not a copy


@pytest.mark.parametrize("lang", ["en", "nb", "sv", "fi"])
def test_formatting_never_raises(lang):
    assert formatting.number(1e28, lang).replace("\u00a0", " ").replace(",", " ").replace(".", " ").count("000") >= 9
    assert formatting.number(float("inf"), lang) == "inf"
    assert formatting.number(-1.7e308, lang)
    assert sparkline.figure(1e28, "currency", lang, "NOK")
    assert formatting.day("10000-01-01", lang) == "10000-01-01"
    assert formatting.day(date(9999, 12, 31), lang)
    assert sparkline.period_label("month", "10000-01-01", lang) == "10000-01-01"
    spark = sparkline.spark([1e308, -1e308, None, 1.0])
    assert spark.measured == 3
