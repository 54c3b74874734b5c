"""The main navigation in groups (issue 14): eleven links no longer wrap at 1280 px; Plan, Measure and Do are
disclosure menus that work with the keyboard (and without JS: <details>), one open at a time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import main_nav_link, sign_in

pytestmark = pytest.mark.browser


def test_the_grouped_nav_fits_one_row_and_works_with_the_keyboard(page: Page, live, account):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, account, "/kpis")
    nav = page.get_by_role("navigation", name="Main")
    heights = nav.evaluate("n => [...n.children].map(c => Math.round(c.getBoundingClientRect().top))")
    assert len(set(heights)) == 1, f"the navigation wraps: {heights}"
    assert page.evaluate("document.querySelector('.topbar').getBoundingClientRect().height") < 70
    expect(nav.locator("summary.is-current")).to_have_text(re.compile("^Measure"))  # KPIs is in Measure

    # Keyboard: Tab to "Plan", Enter opens it, Tab reaches its first link, Enter follows it.
    plan = nav.locator("summary", has_text="Plan")
    plan.focus()
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Strategy")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Strategy")).to_be_hidden()
    expect(plan).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Strategy")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/strategy$"))
    expect(nav.locator("summary.is-current")).to_have_text(re.compile("^Plan"))

    # One group at a time; every link of the old bar is reachable.
    main_nav_link(page, "Strategy")
    expect(nav.get_by_role("link", name="Strategy")).to_be_visible()
    expect(main_nav_link(page, "Workflows")).to_be_visible()
    expect(nav.get_by_role("link", name="Strategy")).to_be_hidden()
    for name, path in [
        ("Home", "/"),
        ("Surfaces", "/surfaces"),
        ("Action list", "/actions"),
        ("Scorecard", "/scorecard"),
        ("Cycles", "/cycles"),
        ("Feedback", "/feedback"),
        ("My work", "/my-work"),
        ("Settings", "/settings/workspace"),
    ]:
        main_nav_link(page, name).click()
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(nav.locator("a[aria-current=page]")).to_have_text(name)


def test_the_groups_open_without_javascript(chromium, live, account):
    context = chromium.new_context(base_url=live.base_url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, account, "/")
        nav = page.get_by_role("navigation", name="Main")
        nav.locator("summary", has_text="Measure").click()
        nav.get_by_role("link", name="Scorecard").click()
        expect(page).to_have_url(re.compile(r"/scorecard$"))
    finally:
        context.close()
