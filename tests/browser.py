"""What the browser tests share: sign in, find a goal's row, upload a file, create a KPI through the API."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests import support


def sign_in(page: Page, account: support.Account, path: str, email: str | None = None) -> None:
    """Open `path`, sign in on the page it sends to (as `email` if given, with support's password), land on `path`."""
    page.goto(path)
    page.get_by_label("Email").fill(email or account.email)
    page.get_by_label("Password").fill(account.password if email is None else support.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+" + re.escape(path) + "$"))
    page.wait_for_load_state()  # the URL changes when the page starts coming: its script's handlers come with "load"


def goal_row(page: Page, title: str):
    """The tree row (not the whole subtree) of the goal with this title."""
    return page.locator(".trow", has=page.get_by_role("link", name=title, exact=True))


def upload(page: Page, name: str, data: bytes) -> None:
    """Upload a CSV on the imports page and wait for its preview."""
    page.goto("/imports")
    page.get_by_label("CSV or XLSX file").set_input_files({"name": name, "mimeType": "text/csv", "buffer": data})
    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+$"))
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def create_kpi(live, account: support.Account, **fields) -> dict:
    """A KPI through the API (Visits, a summed number, unless `fields` say otherwise)."""
    body = {"name": "Visits", "category": "result", "unit": "number", "aggregation": "sum", **fields}
    answer = httpx.post(f"{live.base_url}/api/v1/kpis", headers=account.headers(), json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def main_nav_link(page: Page, name: str):
    """A link of the Main navigation, its group opened first when it sits in one (Plan, Measure, Do)."""
    nav = page.get_by_role("navigation", name="Main")
    link = page.get_by_role("link", name=name, exact=True, include_hidden=True)  # `has` is relative: page-rooted
    group = nav.locator("details.navgroup").filter(has=link)
    if group.count() and not group.evaluate("d => d.open"):
        group.locator("summary").click()
    return nav.get_by_role("link", name=name, exact=True)
