"""Errors a browser can read: HTML pages in the layout for 404, a malformed id, 422 and 500; htmx shows a 409
where the form is; a form's URL left in history reloads into a page, never a 405."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect
from starlette.routing import Route

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def html_page(page: Page, path: str, status: int) -> None:
    answer = page.goto(path)
    assert answer.status == status and answer.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("banner")).to_be_visible()  # the product's layout, with its navigation
    expect(page.locator("body")).not_to_contain_text('"type"')


def test_not_found_and_malformed_ids_are_pages(page: Page, live, account):
    sign_in(page, account, "/")
    html_page(page, "/kpis/999999", 404)
    expect(page.get_by_role("heading", level=1)).to_contain_text("does not exist")
    html_page(page, "/kpis/abc", 404)
    html_page(page, "/strategy?edit=abc", 422)
    expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()


def test_a_crash_is_a_page_in_the_layout(page: Page, live, account):
    app = live.server("gateway").config.app

    async def crash(request):
        raise RuntimeError("provoked by the test")

    route = Route("/provoke-500", crash)
    app.router.routes.insert(0, route)
    try:
        sign_in(page, account, "/")
        html_page(page, "/provoke-500", 500)
        expect(page.get_by_role("heading", level=1)).to_have_text("Something went wrong.")
    finally:
        app.router.routes.remove(route)


def test_an_invalid_form_shows_the_reason_in_the_form(page: Page, live, account):
    sign_in(page, account, "/settings/workspace")
    name = page.get_by_label("Name", exact=True)
    name.evaluate("el => el.removeAttribute('maxlength')")
    name.fill("x" * 401)
    page.get_by_role("button", name="Save changes").click()
    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("cannot be saved")
    expect(page.locator("body")).not_to_contain_text('"status"')
    expect(page).to_have_url(f"{live.base_url}/settings/workspace")


def test_a_conflict_shows_beside_the_form_and_reload_keeps_a_page(page: Page, live, account):
    surface = httpx.post(
        f"{live.base_url}/api/v1/surfaces",
        headers=account.headers(),
        json={"name": "Web shop", "kind": "web_shop", "cadence": "monthly", "period_start": "2026-01-01"},
    )
    assert surface.status_code == 201, surface.text
    sign_in(page, account, "/cycles")
    for _ in range(2):
        form = page.locator("#cycle_open_form")
        if not form.get_attribute("open") == "":
            form.locator("summary").click()
        page.locator("#cycle-surface").select_option(label="Web shop")
        page.get_by_role("button", name="Open cycle").click()
        if _ == 0:
            expect(page).to_have_url(re.compile(r"/cycles/\d+$"))
            cycle_url = page.url
            page.goto("/cycles")
    expect(page.get_by_role("alert")).to_contain_text("A cycle covers this period already.")
    page.reload()
    expect(page.get_by_role("banner")).to_be_visible()
    answer = page.goto(cycle_url + "/close")  # a form's URL, as history keeps it after a refused close
    assert answer.status == 200 and page.url == cycle_url


def test_a_boosted_link_to_a_missing_page_shows_the_error_page_and_a_failed_part_says_so(page: Page, live, account):
    """issue 14: htmx's 404 on a page change is the error page at its URL, not a toast over the old page; a part of
    a page that fails (here a row's 404) keeps the page and says what happened."""
    sign_in(page, account, "/kpis")
    page.wait_for_function("() => window.htmx")  # the deferred script has run: htmx.process exists
    page.locator("main").evaluate(
        "m => { const a = document.createElement('a'); a.href = '/kpis/999999'; a.textContent = 'gone';"
        " m.prepend(a); htmx.process(a); }"
    )
    page.get_by_role("link", name="gone").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("does not exist")
    expect(page).to_have_url(re.compile(r"/kpis/999999$"))
    expect(page.get_by_role("banner")).to_be_visible()

    page.goto("/kpis")
    page.wait_for_function("() => window.htmx !== undefined")
    page.locator("main").evaluate(
        "m => { const b = document.createElement('button'); b.textContent = 'part';"
        " b.setAttribute('hx-get', '/kpis/999999'); b.setAttribute('hx-target', 'this');"
        " m.prepend(b); htmx.process(b); }"
    )
    page.get_by_role("button", name="part").click()
    expect(page.locator("#toast")).to_contain_text("does not exist")
    expect(page.get_by_role("heading", level=1)).to_have_text("KPIs")
