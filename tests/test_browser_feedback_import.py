"""Importing feedback items in a real browser: from the inbox to the imports page with "feedback items" chosen,
the Swedish headers mapped, a bad line reported with nothing stored, then the good lines stored and seen in
the inbox."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser
FILE = (
    "Mottagen;Kanal;Typ;Kategori;Text\n"
    "2026-03-02 09:00;Facebook;klagomål;Staff and service;Otrevlig personal\n"
    "2026-03-03;duva;fråga;;Öppettider?\n"
    "2026-03-04 12:00;e-post;beröm;Product;Bra soppa\n"
).encode()


def items(live, account) -> int:
    resp = httpx.get(f"{live.base_url}/api/v1/feedback", params={"limit": 1}, headers=account.headers())
    assert resp.status_code == 200, resp.text
    return resp.json()["count"]


def test_feedback_items_import_from_a_file(page, live, account):
    sign_in(page, account, "/feedback")
    page.get_by_role("link", name="Import from a file").click()
    expect(page).to_have_url(re.compile(r"/imports\?target=feedback_items$"))
    expect(page.get_by_label("Feedback items")).to_be_checked()
    csv = {"name": "klagomal.csv", "mimeType": "text/csv", "buffer": FILE}
    page.get_by_label("CSV or XLSX file").set_input_files(csv)
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="klagomal.csv")).to_be_visible()
    expect(page.get_by_label("Column “Mottagen” holds")).to_have_value("received_at")
    expect(page.get_by_label("Column “Kanal” holds")).to_have_value("channel")
    expect(page.get_by_label("Column “Kategori” holds")).to_have_value("category")
    expect(page.get_by_label("Column “Text” holds")).to_have_value("text")

    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("alert").filter(has_text="lines are bad")).to_contain_text("1 of 3 lines are bad")
    problem = page.locator("tr.import-problem")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("3")
    expect(problem).to_contain_text("'duva' is not a channel")
    assert items(live, account) == 0

    page.reload()  # the mapping form comes back once the run has ended
    page.get_by_label("Store the good lines even if some lines are bad").check()
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("status").filter(has_text="filed as new")).to_contain_text(
        "2 feedback items filed as new.", timeout=30_000
    )
    assert items(live, account) == 2
    page.get_by_role("link", name="Open the feedback inbox").click()
    expect(page.get_by_text("Otrevlig personal")).to_be_visible()
    expect(page.get_by_text("Bra soppa")).to_be_visible()
