"""Cycle figures keep their units (issue 14): money with its currency, a percent KPI's change in percentage
points, and a value without a target says "No target", in the cycle, its print view and the KPI list."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from playwright.sync_api import Page, expect

from kit.dates import add_months
from tests.browser import sign_in

pytestmark = pytest.mark.browser
MONTH = date.today().replace(day=1)
BEFORE = add_months(MONTH, -1)


def seed(live, account) -> int:
    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:
        surface = c.post(
            "/api/v1/surfaces",
            json={"name": "Shop", "kind": "web_shop", "cadence": "monthly", "period_start": BEFORE.isoformat()},
        ).json()
        rate = c.post(
            "/api/v1/kpis",
            json={"name": "Conversion rate", "category": "result", "unit": "percent", "aggregation": "mean",
                  "surface_id": surface["id"]},
        ).json()  # fmt: skip
        revenue = c.post(
            "/api/v1/kpis",
            json={"name": "Revenue", "category": "result", "unit": "currency", "currency_code": "NOK",
                  "aggregation": "sum", "surface_id": surface["id"]},
        ).json()  # fmt: skip
        end = add_months(MONTH, 1).toordinal() - 1
        span = {"period_start": BEFORE.isoformat(), "period_end": date.fromordinal(end).isoformat()}
        assert c.put(f"/api/v1/kpis/{rate['id']}/targets", json=[{**span, "target": 3}]).status_code == 200
        values = [
            (rate["id"], BEFORE, 2.5),
            (rate["id"], MONTH, 3.1),
            (revenue["id"], BEFORE, 1000),
            (revenue["id"], MONTH, 1200),
        ]
        body = {
            "observations": [
                {"kpi_id": k, "period": "month", "period_start": d.isoformat(), "value": v} for k, d, v in values
            ]
        }
        assert c.post("/api/v1/observations/batch", json=body).status_code == 200
        cycle = c.post("/api/v1/cycles", json={"surface_id": surface["id"]})
        assert cycle.status_code == 201, cycle.text
        return cycle.json()["id"]


def test_cycle_figures_keep_their_units_and_a_percent_change_is_in_points(page: Page, live, account):
    cycle_id = seed(live, account)
    sign_in(page, account, f"/cycles/{cycle_id}")
    rate = page.locator("article.cycle-item", has=page.get_by_role("heading", name="Conversion rate"))
    expect(rate).to_contain_text("3.1 %")
    expect(rate).to_contain_text("+0.6 pp")
    expect(rate).to_contain_text("(before: 2.5 %)")
    revenue = page.locator("article.cycle-item", has=page.get_by_role("heading", name="Revenue"))
    expect(revenue).to_contain_text("NOK")
    expect(revenue).to_contain_text("1,200")
    expect(revenue.locator(".status")).to_have_text("No target")

    page.goto(f"/cycles/{cycle_id}/print")
    row = page.locator("tr", has_text="Conversion rate")
    expect(row).to_contain_text("+0.6 pp")
    expect(page.locator("tr", has_text="Revenue")).to_contain_text("No target")

    page.get_by_role("link", name="Back to the cycle").click()
    page.get_by_label("Language").select_option("nb")
    expect(page.locator("article.cycle-item", has_text="Conversion rate")).to_contain_text("+0,6 prosentpoeng")


def test_the_scorecard_shows_a_percent_change_in_points(page: Page, live, account):
    seed(live, account)
    sign_in(page, account, "/scorecard")
    page.goto(f"/scorecard?period=month&date={MONTH.isoformat()}")
    card = page.locator("article.sc-card", has=page.get_by_role("heading", name="Conversion rate"))
    expect(card).to_contain_text("+0.6 pp")
