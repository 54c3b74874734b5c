"""The scorecard's default period: early in a month, the latest period with values for most KPIs, saying so,
with the month so far one click away."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from playwright.sync_api import Page, expect

from kit.dates import add_months
from tests.browser import create_kpi, sign_in

pytestmark = pytest.mark.browser


def test_the_default_is_the_last_period_with_values(page: Page, live, account):
    last_month = add_months(date.today().replace(day=1), -1)
    kpis = [create_kpi(live, account, name=name) for name in ("Visits", "Orders")]
    rows = [{"kpi_id": k["id"], "period": "month", "period_start": last_month.isoformat(), "value": 7} for k in kpis]
    answer = httpx.post(
        f"{live.base_url}/api/v1/observations/batch", headers=account.headers(), json={"observations": rows}
    )
    assert answer.status_code in (200, 201), answer.text
    sign_in(page, account, "/scorecard")
    notice = page.locator("#scorecard-fallback")
    expect(notice).to_contain_text("the latest period with values for most KPIs")
    expect(page.locator("#sc-date")).to_have_value(last_month.isoformat())
    notice.get_by_role("link").click()
    expect(page.locator("#scorecard-fallback")).to_have_count(0)
    expect(page.locator("#sc-date")).to_have_value(date.today().replace(day=1).isoformat())


def test_self_filling_kpis_do_not_decide_the_default(page: Page, live, account):
    """Feedback and activity KPIs have a value for every month by construction: on the 1st, three of them counted
    this month while both business KPIs are empty; the default is still last month, which the business KPIs fill."""
    this_month = date.today().replace(day=1)
    last_month = add_months(this_month, -1)
    business = [create_kpi(live, account, name=name) for name in ("Visits", "Orders")]
    filling = [create_kpi(live, account, name=f"Complaints {n}", source="feedback") for n in range(2)]
    filling.append(create_kpi(live, account, name="Actions done", source="activity", category="activity"))
    rows = [
        {"kpi_id": k["id"], "period": "month", "period_start": start.isoformat(), "value": 3}
        for k in filling
        for start in (last_month, this_month)
    ]
    rows += [
        {"kpi_id": k["id"], "period": "month", "period_start": last_month.isoformat(), "value": 7} for k in business
    ]
    answer = httpx.post(
        f"{live.base_url}/api/v1/observations/batch", headers=account.headers(), json={"observations": rows}
    )
    assert answer.status_code in (200, 201), answer.text
    sign_in(page, account, "/scorecard")
    expect(page.locator("#scorecard-fallback")).to_contain_text("the latest period with values for most KPIs")
    expect(page.locator("#sc-date")).to_have_value(last_month.isoformat())
    page.locator("#scorecard-fallback").get_by_role("link").click()
    expect(page.locator("#sc-date")).to_have_value(this_month.isoformat())
    expect(page.locator("#scorecard-fallback")).to_have_count(0)
