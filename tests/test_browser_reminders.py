"""Reminders in a real browser: Settings → Reminders reads the working hours and the escalation grace, refuses a
day that ends before it starts beside the field and saves a good change; the run page lists an open step's
reminders when its disclosure is opened."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser import sign_in
from tests.workflow_support import add_members, blog_roles

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


def test_the_run_page_shows_an_open_steps_reminders(page: Page, live, account):
    people = add_members(account, ["Anna", "Ben", "Cara", "Dan"])
    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:
        wf = c.post("/api/v1/workflows/builtins/blog-post", json={"language": "en"})
        assert wf.status_code == 201, wf.text
        publish = (date.today() + timedelta(days=60)).isoformat()
        body = {"template_id": wf.json()["id"], "anchors": {"publish": publish}, "roles": blog_roles(people)}
        run = c.post("/api/v1/workflow-runs", json=body)
        assert run.status_code == 201, run.text
    run = run.json()
    sign_in(page, account, f"/runs/{run['id']}")
    row = page.locator("#step-idea")
    row.get_by_text("Reminders").click()
    listed = row.locator("ul.reminders li")
    expect(listed).to_have_count(4)
    expect(listed.first).to_contain_text("Due in two days")
    expect(listed.first).to_contain_text("Planned")
    expect(listed.nth(3)).to_contain_text("Escalated to the run's owner")
    expect(page.locator("#step-keywords details.reminders-of")).to_have_count(0)  # waiting: nothing planned yet
