"""The first run: a new workspace's home is a checklist through the loop, ticked as steps are done, dismissible;
what needs attention shows on home."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_the_checklist_leads_through_the_loop(page: Page, live, account):
    sign_in(page, account, "/")
    checklist = page.get_by_role("region", name="Get started")
    steps = checklist.get_by_role("listitem")
    expect(steps).to_have_count(6)
    expect(checklist).not_to_contain_text("(done)")
    expect(steps.first.get_by_role("link", name="Add a surface")).to_have_attribute("href", "/surfaces")
    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:
        surface = c.post(
            "/api/v1/surfaces",
            json={"name": "Web shop", "kind": "web_shop", "cadence": "monthly", "period_start": "2026-01-01"},
        )
        assert surface.status_code == 201, surface.text
        assert c.post("/api/v1/cycles", json={"surface_id": surface.json()["id"]}).status_code == 201
    page.reload()
    expect(steps.nth(0)).to_contain_text("(done)")
    expect(steps.nth(1)).to_contain_text("(to do)")
    expect(steps.nth(4)).to_contain_text("(done)")
    expect(page.get_by_role("region", name="Needs attention")).to_contain_text("1 open measurement cycle to review")
    page.get_by_role("button", name="Hide this list").click()
    expect(page.get_by_role("heading", name="Your management loop")).to_be_visible()
    expect(page.get_by_role("region", name="Get started")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("region", name="Get started")).to_have_count(0)


def test_every_count_of_the_loop_is_a_link(page: Page, live, account):
    sign_in(page, account, "/")
    page.get_by_role("button", name="Hide this list").click()
    expect(page.get_by_role("region", name="Get started")).to_have_count(0)  # the hide has landed: no race
    loop = page.get_by_role("region", name="Your management loop")
    for name, href in (("Surfaces", "/surfaces"), ("KPIs", "/kpis"), ("Planning periods", "/periods")):
        expect(loop.get_by_role("link", name=name, exact=True)).to_have_attribute("href", href)
    loop.get_by_role("link", name="Planning periods", exact=True).click()
    expect(page).to_have_url(f"{live.base_url}/periods")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
