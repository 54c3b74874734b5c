"""Connectors in a real browser: add Plausible against a local recorded vendor, test the connection, map
visitors to the Visits KPI, save, run it now, and see the scorecard fill."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from services.metrics.tests.connectors.recorded import daily, plausible_query
from services.metrics.tests.connectors.vendor import VendorServer
from tests import support
from tests.browser import create_kpi, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def vendor():
    server = VendorServer().start()
    server.on("POST", "/api/v2/query", plausible_query)
    yield server
    server.stop()


def test_add_plausible_test_map_run_and_the_scorecard_fills(page, live, account, vendor):
    kpi = create_kpi(live, account, name="Visits")
    sign_in(page, account, "/connectors")
    expect(page.get_by_text("No connectors yet.")).to_be_visible()
    page.get_by_label("System").select_option("plausible")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connect Plausible")
    expect(page.get_by_text("Account Settings > API Keys")).to_be_visible()  # the vendor's own words
    page.get_by_label("Site domain").fill("example.com")
    page.get_by_label("Plausible address (self-hosted only)").fill(vendor.url)
    page.get_by_label("Stats API key").fill("plausible-recorded-key")
    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_role("status")).to_contain_text("Connected to Plausible: site example.com answers.")
    page.get_by_label("Metric").select_option("visitors")
    page.get_by_label("KPI", exact=True).select_option(str(kpi["id"]))
    page.get_by_role("button", name="Preview the last 7 days").click()
    expect(page.locator("table.connector-preview tbody tr")).to_have_count(7)
    page.get_by_role("button", name="Save connector").click()
    expect(page).to_have_url(re.compile(r"/connectors/\d+$"))
    expect(page.get_by_text("set", exact=True)).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("plausible-recorded-key")
    expect(page.locator("tr.feed-row")).to_contain_text("Visits")

    page.get_by_role("button", name="Run now").click()
    expect(page.get_by_role("status").first).to_contain_text("The run has started")
    done = page.locator("tr.run-ok")
    for _ in range(40):  # the live worker takes the job; the page shows it on the next load
        if done.count():
            break
        page.wait_for_timeout(250)
        page.get_by_role("link", name="Refresh").click()
    expect(done).to_have_count(1)
    today = date.today()
    expect(done).to_contain_text("31")  # 30 days of backfill and today

    page.goto("/scorecard")
    card = page.locator("article.sc-card", has=page.get_by_role("link", name="Visits", exact=True))
    month = sum(daily(today.replace(day=n)) for n in range(1, today.day + 1))
    expect(card.locator(".sc-value")).to_contain_text(f"{month:,}".replace(",", "\u202f")[-3:])
    expect(card).not_to_contain_text("No value")
    page.screenshot(path=f"{support.screenshot_dir()}/connectors-scorecard.png", full_page=True)
    page.goto("/connectors")
    expect(page.locator("tr.connector-row")).to_contain_text("Working")
