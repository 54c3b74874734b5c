"""Measurement cycles in a real browser: open one by hand, be stopped from closing it, review, close, read-only."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from playwright.sync_api import Page, expect

from kit.dates import add_months
from tests.browser import sign_in

pytestmark = pytest.mark.browser
MONTH = date.today().replace(day=1)


def seed(live, account) -> tuple[int, int]:
    """A quarterly web shop whose current period began this month, and its Orders KPI: 20 of 100, off track."""
    h = account.headers()
    with httpx.Client(base_url=live.base_url, headers=h, timeout=20) as c:
        surface = c.post(
            "/api/v1/surfaces",
            json={
                "name": "Web shop",
                "kind": "web_shop",
                "cadence": "quarterly",
                "period_start": add_months(MONTH, -12).isoformat(),
            },
        )
        assert surface.status_code == 201, surface.text
        kpi = c.post(
            "/api/v1/kpis",
            json={
                "name": "Orders",
                "category": "result",
                "baseline_value": 0,
                "aggregation": "mean",  # a level: judged as it is, not on pace
                "surface_id": surface.json()["id"],
            },
        )
        assert kpi.status_code == 201, kpi.text
        kpi_id = kpi.json()["id"]
        end = add_months(MONTH, 3).toordinal() - 1
        assert (
            c.put(
                f"/api/v1/kpis/{kpi_id}/targets",
                json=[
                    {"period_start": MONTH.isoformat(), "target": 100, "period_end": date.fromordinal(end).isoformat()}
                ],
            ).status_code
            == 200
        )
        assert (
            c.post(
                "/api/v1/observations/batch",
                json={
                    "observations": [
                        {"kpi_id": kpi_id, "period": "month", "period_start": MONTH.isoformat(), "value": 20}
                    ]
                },
            ).status_code
            == 200
        )
    return surface.json()["id"], kpi_id


def test_open_a_cycle_be_stopped_review_and_close_it(page: Page, live, account):
    surface_id, kpi_id = seed(live, account)
    sign_in(page, account, "/cycles")
    expect(page.get_by_role("heading", name="Measurement cycles")).to_be_visible()
    page.get_by_label("Surface", exact=True).first.select_option(label="Web shop")
    page.get_by_role("button", name="Open cycle").click()
    expect(page).to_have_url(re.compile(r"/cycles/\d+$"))
    cycle_url = page.url
    item = page.locator(f"#item-{kpi_id}")
    expect(item).to_contain_text("Off track")  # status in words, not colour alone
    expect(item).to_contain_text("20")
    expect(page.locator("#close-state")).to_contain_text("1 KPI is off track without a root cause")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close cycle").click()
    blocked = page.get_by_role("alert")
    expect(blocked).to_contain_text("The cycle cannot be closed yet")
    expect(blocked.get_by_role("link", name="Orders")).to_be_visible()

    item = page.locator(f"#item-{kpi_id}")
    item.locator(f"#rc-{kpi_id}").fill("The summer campaign was paused for three weeks.")
    item.get_by_label("Analysis note").fill("Orders fell in July.")
    item.get_by_role("button", name="Save review of Orders").click()
    expect(page.locator(f"#item-{kpi_id}")).to_contain_text("Saved.")
    expect(page.locator("#close-state")).to_contain_text("Every KPI that is off track has a root cause")

    findings = page.locator("#findings")
    findings.get_by_label("What was seen").fill("Checkout fails on older iPhones")
    findings.get_by_label("KPI").select_option(label="Orders")
    findings.get_by_label("Suggested change").select_option(label="Technology")
    findings.get_by_role("button", name="Add finding").click()
    expect(page.locator("#findings li")).to_contain_text("Checkout fails on older iPhones")
    expect(page.locator("#findings li")).to_contain_text("Technology")
    page.locator("#findings li summary").click()  # fix the finding: it is about content, not technology
    edit = page.locator("#findings li form").first
    edit.get_by_label("Suggested change").select_option(label="Content")
    edit.get_by_role("button", name="Save finding").click()
    expect(page.locator("#findings li > span.muted")).to_contain_text("Content")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close cycle").click()
    expect(page.get_by_role("status").filter(has_text="The cycle is closed")).to_be_visible()
    expect(page.get_by_role("button", name="Close cycle")).to_have_count(0)
    expect(page.locator("textarea")).to_have_count(0)  # read-only
    expect(page.locator(f"#item-{kpi_id}")).to_contain_text("The summer campaign was paused for three weeks.")

    cycle_id = cycle_url.rsplit("/", 1)[1]
    page.goto(f"/cycles/{cycle_id}/print")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Web shop")
    expect(page.locator("nav.mainnav")).to_have_count(0)
    expect(page.locator("table")).to_contain_text("Off track")
    page.goto(f"/cycles/compare?ids={cycle_id}")
    expect(page.locator("table")).to_contain_text("Orders")
    page.goto("/cycles")
    expect(page.locator("#cycle_list")).to_contain_text("Closed")
    assert surface_id


def test_the_review_works_without_javascript(chromium, live, account):
    """Plain forms: every review form posts and redirects back, and a refused close explains itself."""
    surface_id, kpi_id = seed(live, account)
    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:
        cycle = c.post("/api/v1/cycles", json={"surface_id": surface_id})
        assert cycle.status_code == 201, cycle.text
    cycle_id = cycle.json()["id"]
    context = chromium.new_context(base_url=live.base_url, java_script_enabled=False, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, account, f"/cycles/{cycle_id}")
        page.get_by_role("button", name="Close cycle").click()
        expect(page.get_by_role("alert")).to_contain_text("The cycle cannot be closed yet")
        page.locator(f"#rc-{kpi_id}").fill("Prices rose in June.")
        page.get_by_role("button", name="Save review of Orders").click()
        expect(page).to_have_url(re.compile(rf"/cycles/{cycle_id}#item-{kpi_id}$"))
        expect(page.locator(f"#rc-{kpi_id}")).to_have_value("Prices rose in June.")
        page.locator("#finding-text").fill("Price page is hard to find")
        page.locator("#finding-kind").select_option("channel")
        page.get_by_role("button", name="Add finding").click()
        expect(page.locator("#findings li")).to_contain_text("Price page is hard to find")
        page.get_by_role("button", name="Close cycle").click()
        expect(page.get_by_text("This cycle is closed and read-only.")).to_be_visible()
    finally:
        context.close()
