"""Settings → Reminders in a real browser: the working hours and the escalation grace are read, a day that ends
before it starts is refused beside the field, and a good change is saved (the tasks service has it)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_person_changes_the_working_hours_of_reminders(page: Page, live, account):
    sign_in(page, account, "/settings/reminders")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminders")
    start, end = page.get_by_label("Working day starts"), page.get_by_label("Working day ends")
    expect(start).to_have_value("08:00")
    expect(end).to_have_value("16:00")
    start.fill("16:00")
    end.fill("08:00")
    page.get_by_role("button", name="Save changes").click()
    error = page.locator("#rem-day-end-error")
    expect(error).to_contain_text("after the start of the day")
    expect(page.get_by_label("Working day ends")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Working day starts").fill("07:30")
    page.get_by_label("Working day ends").fill("15:30")
    page.get_by_label("Tell the run's owner after").fill("16")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    got = httpx.get(f"{live.base_url}/api/v1/reminder-settings", headers=account.headers(), timeout=20).json()
    assert got == {"day_start": "07:30", "day_end": "15:30", "escalate_after_hours": 16, "timezone": got["timezone"]}
    page.reload()
    expect(page.get_by_label("Working day starts")).to_have_value("07:30")
    expect(page.locator("nav.subnav a[aria-current=page]")).to_have_text("Reminders")
