"""Webhooks and calendar feeds in a real browser: an admin adds a Standard Webhooks endpoint (the secret shown
once), sends a test event that a local receiver gets signed, replays it from the delivery log; a person makes a
calendar feed address, a calendar app reads it without a session, and revoking it ends it."""

from __future__ import annotations

import time

import httpx
import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from standardwebhooks import Webhook

from services.tasks.tests.webhooks.receiver import Receiver
from tests import support
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def wait_for(page, locator, count: int, seconds: float = 90) -> None:
    """Reload the log until the live worker's send shows (a worker takes the job within seconds, unless loaded)."""
    deadline = time.monotonic() + seconds
    while locator.count() < count and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        page.get_by_role("link", name="Refresh").click()
    expect(locator).to_have_count(count)


def test_add_an_endpoint_send_a_test_event_and_replay_it(page, live, account):
    with Receiver() as receiver:
        sign_in(page, account, "/settings/webhooks")
        expect(page.get_by_text("No endpoints yet.")).to_be_visible()
        page.get_by_label("Address").fill("http://10.0.0.1/private")
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.locator(".field-error")).to_contain_text("Private, loopback and link-local addresses")
        page.get_by_label("Address").fill(receiver.url)
        page.get_by_label("Description").fill("Our CRM")
        page.get_by_label("Overdue").check()
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_role("status")).to_contain_text("This is its signing secret")
        secret = page.locator("#new-secret").input_value()
        assert secret.startswith("whsec_")
        expect(page.locator("tr.webhook-row")).to_contain_text("Overdue")
        page.get_by_role("link", name="Our CRM").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Our CRM")
        expect(page.locator("body")).not_to_contain_text(secret)
        page.get_by_role("button", name="Send test event").click()
        expect(page.get_by_role("status")).to_contain_text("A test event is on its way")
        wait_for(page, page.locator("tr.delivery-succeeded"), 1)
        assert len(receiver.arrivals) == 1
        payload = Webhook(secret).verify(receiver.arrivals[0].body, receiver.arrivals[0].headers)
        assert payload["type"] == "webhook.test"
        page.get_by_role("button", name="Replay").click()
        expect(page.get_by_role("status")).to_contain_text("will be sent again")
        deadline = time.monotonic() + 90
        while len(receiver.arrivals) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        assert len(receiver.arrivals) == 2
        assert receiver.arrivals[1].headers["webhook-id"] == receiver.arrivals[0].headers["webhook-id"]
        page.screenshot(path=f"{support.screenshot_dir()}/webhook-endpoint.png", full_page=True)
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Remove endpoint").click()
        expect(page.get_by_role("status")).to_contain_text("The endpoint is removed.")


def test_a_calendar_feed_address_is_shown_once_read_without_a_session_and_revoked(page, live, account):
    sign_in(page, account, "/settings/calendar")
    page.get_by_role("button", name="Make an address My deadlines").click()
    expect(page.get_by_role("status")).to_contain_text("Your feed address is ready.")
    url = page.locator("#feed-url").input_value()
    assert url.startswith(live.base_url + "/calendar/cal_")
    answer = httpx.get(url, timeout=20)  # a calendar app: no cookie, no token but the one in the address
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    cal = Calendar.from_ical(answer.content)
    assert str(cal["x-wr-calname"]) == "Effekt: my deadlines"
    page.goto("/settings/calendar")
    expect(page.locator("body")).not_to_contain_text(url)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke My deadlines").click()
    expect(page.get_by_role("status")).to_contain_text("The feed address is revoked.")
    assert httpx.get(url, timeout=20).status_code == 404
