"""Notifications end to end: a person chooses the daily digest for steps handed to them, a step is handed to them,
the header counts it, the inbox shows it (and leads to the run), and the digest reaches a real SMTP server at
08:00 their time, with the item, through the real gateway's recipients route."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from tests import support
from tests.notify_support import digest_round, mailbox_fixture  # noqa: F401  (the `mailbox` fixture)
from tests.workflow_support import add_members, blog_roles

pytestmark = pytest.mark.browser
OSLO = ZoneInfo("Europe/Oslo")
DOCS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "docs")


def test_daily_digest_inbox_and_unread_count(chromium, live, account, mailbox):
    people = add_members(account, ["Anna", "Ben", "Cara", "Dan"])
    ben = people["Ben"]
    context = chromium.new_context(base_url=live.base_url, viewport={"width": 1280, "height": 860}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/settings/notifications")
    page.locator("input[name=email]").fill(ben.email)
    page.locator("input[name=password]").fill(support.PASSWORD)
    page.locator("form[action^='/signin'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/settings/notifications$"))
    page.get_by_label("From").fill("22:00")  # the start of the quiet hours without their end
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.locator("#quiet-end-error")).to_contain_text("Give both")
    expect(page.get_by_label("Until")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("From").fill("")
    page.get_by_label("A step is handed to me").select_option("digest")
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.get_by_role("status").filter(has_text="saved")).to_be_visible()
    expect(page.get_by_label("A step is handed to me")).to_have_value("digest")

    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:
        wf = c.post("/api/v1/workflows/builtins/blog-post", json={"language": "en"}).json()
        publish = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
        roles = {**blog_roles(people), "content": ben.user_id}  # the first step is Ben's
        run = c.post(
            "/api/v1/workflow-runs", json={"template_id": wf["id"], "anchors": {"publish": publish}, "roles": roles}
        ).json()
    first = run["tasks"][0]

    page.goto("/my-work")
    badge = page.locator("#unread-badge .badge-unread")
    expect(badge).to_have_text("1")
    expect(page.locator("#unread-badge")).to_contain_text("1 unread notification")
    page.get_by_role("link", name=re.compile("^Inbox")).first.click()
    expect(page).to_have_url(re.compile(r"/inbox$"))
    item = page.locator("#inbox .inbox-unread")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"“{first['title']}” in {run['name']} is yours now")
    expect(page.locator("#unread-badge .badge-unread")).to_have_text("1")
    page.screenshot(path=os.path.join(DOCS, "notifications-inbox.png"))
    page.screenshot(path=os.path.join(support.screenshot_dir(), "notifications-inbox.png"), full_page=True)

    tomorrow = datetime.now(OSLO).date() + timedelta(days=1)
    deadline = datetime.now(UTC) + timedelta(seconds=60)
    while not mailbox.to(ben.email) and datetime.now(UTC) < deadline:
        digest_round(datetime.combine(tomorrow, time(8, 5), tzinfo=OSLO).astimezone(UTC))
    [digest] = mailbox.wait_for(ben.email)
    assert digest["Subject"] == "Your Effekt digest: 1 notification"
    text = digest.get_body(("plain",)).get_content()
    assert f"“{first['title']}” in {run['name']} is yours now" in text
    assert f"/runs/{run['id']}#task-{first['id']}" in text and "/settings/notifications" in text
    again = digest_round(datetime.combine(tomorrow, time(9), tzinfo=OSLO).astimezone(UTC))
    # one digest a day: a later round the same day opens none (the live stack's own worker runs its rounds at the
    # real time meanwhile, so the mailbox alone does not say which round sent what)
    assert again["digests"] == 0, (again, [m["Subject"] for m in mailbox.to(ben.email)])

    item.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/runs/{run['id']}"))
    expect(page.locator("#unread-badge .badge-unread")).to_have_count(0)
    page.goto("/inbox")
    expect(page.locator("#inbox .inbox-unread")).to_have_count(0)
    context.close()
