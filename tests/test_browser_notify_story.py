"""The notifications story in a real browser, across every part of it: a person chooses the daily digest for steps
handed to them (Slack is the workspace's: its endpoint, on a loopback receiver, does not hear of assigned steps);
a step is handed to them, the header counts it and the inbox shows it; the digest reaches a real SMTP server at
08:00 their time with the item; their calendar feed (made in Settings → Calendar) lists the deadline; a re-plan
accepted on the run page moves the deadline of their next step, the feed's SEQUENCE rises, and the old reminders
are cancelled (GET /api/v1/tasks/{id}/reminders). Nothing reaches the Slack endpoint."""

from __future__ import annotations

import re
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar
from playwright.sync_api import expect
from sqlmodel import Session, col, func, select

from services.tasks.events.models import Event
from services.tasks.tests.webhooks.receiver import Receiver
from services.tasks.webhooks.models import FanoutCursor, WebhookDelivery
from tests import support
from tests.notify_support import digest_round, mailbox_fixture  # noqa: F401  (the `mailbox` fixture)
from tests.processes import until
from tests.workflow_support import add_members

pytestmark = pytest.mark.browser
OSLO = ZoneInfo("Europe/Oslo")


def feed_events(url: str) -> dict[int, dict]:
    """The feed as a calendar app reads it (the address alone), by task id."""
    answer = httpx.get(url, timeout=20)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar"), answer.text
    out = {}
    for e in Calendar.from_ical(answer.content).walk("VEVENT"):
        found = re.match(r"task-(\d+)@", str(e["uid"]))
        if found:
            out[int(found.group(1))] = {"start": e.decoded("dtstart"), "sequence": int(e["sequence"])}
    return out


def tasks_engine():
    from effekt.registry import PARTS
    from kit.db import make_engine

    return make_engine(PARTS["tasks"].database_url())


def test_digest_inbox_feed_and_a_moved_deadline_for_one_person(chromium, live, account, mailbox):
    people = add_members(account, ["Anna", "Ben", "Cara", "Dan"])
    anna = people["Anna"]
    api = httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20)
    with Receiver() as slack:
        hook = api.post(
            "/api/v1/webhooks", json={"kind": "slack", "url": slack.url, "event_kinds": ["overdue", "escalated"]}
        )
        assert hook.status_code == 201, hook.text

        context = chromium.new_context(base_url=live.base_url, viewport={"width": 1280, "height": 860}, locale="en-GB")
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto("/settings/notifications")
        page.locator("input[name=email]").fill(anna.email)
        page.locator("input[name=password]").fill(support.PASSWORD)
        page.locator("form[action^='/signin'] button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/settings/notifications$"))
        page.get_by_label("A step is handed to me").select_option("digest")
        page.get_by_role("button", name="Save notification settings").click()
        expect(page.get_by_role("status").filter(has_text="saved")).to_be_visible()

        # A run whose first two steps are Anna's (content, then keywords as the SEO person).
        wf = api.post("/api/v1/workflows/builtins/blog-post", json={"language": "en"}).json()
        publish = (date.today() + timedelta(days=60)).isoformat()
        a, b, c, d = (people[n].user_id for n in ("Anna", "Ben", "Cara", "Dan"))
        roles = {"content": a, "seo": a, "writer": c, "lead": b, "designer": d, "social": b}
        made = api.post(
            "/api/v1/workflow-runs", json={"template_id": wf["id"], "anchors": {"publish": publish}, "roles": roles}
        )
        assert made.status_code == 201, made.text
        run = made.json()
        idea, keywords = run["tasks"][0], next(t for t in run["tasks"] if t["step_key"] == "keywords")
        assert idea["owner_id"] == a and keywords["owner_id"] == a

        page.goto("/my-work")
        expect(page.locator("#unread-badge .badge-unread")).to_have_text("1")
        expect(page.locator("#unread-badge")).to_contain_text("1 unread notification")
        page.get_by_role("link", name=re.compile("^Inbox")).first.click()
        expect(page).to_have_url(re.compile(r"/inbox$"))
        item = page.locator("#inbox .inbox-unread")
        expect(item).to_have_count(1)
        expect(item).to_contain_text(f"“{idea['title']}” in {run['name']} is yours now")

        # 08:00 tomorrow in Oslo comes (the notification cron's own clock): one digest with the item.
        tomorrow = datetime.now(OSLO).date() + timedelta(days=1)
        deadline = clock.monotonic() + 60
        while not mailbox.to(anna.email) and clock.monotonic() < deadline:
            digest_round(datetime.combine(tomorrow, time(8, 5), tzinfo=OSLO).astimezone(UTC))
        [digest] = mailbox.wait_for(anna.email)
        assert digest["Subject"] == "Your Effekt digest: 1 notification"
        text = digest.get_body(("plain",)).get_content()
        assert f"“{idea['title']}” in {run['name']} is yours now" in text
        assert f"/runs/{run['id']}#task-{idea['id']}" in text

        # Settings → Calendar: the feed address, read by a calendar app.
        page.goto("/settings/calendar")
        page.get_by_role("button", name="Make an address My deadlines").click()
        expect(page.get_by_role("status")).to_contain_text("Your feed address is ready.")
        url = page.locator("#feed-url").input_value()
        listed = feed_events(url)
        assert listed[idea["id"]]["start"] == date.fromisoformat(idea["due_on"])
        assert listed[keywords["id"]]["start"] == date.fromisoformat(keywords["due_on"])

        # The first step is done weeks early; the run page proposes pulling the later steps forward: accepted.
        page.goto(f"/runs/{run['id']}")
        page.locator("#step-idea form[action$='/complete'] button").click()
        expect(page.locator("#step-idea.state-done")).to_be_visible()
        before = feed_events(url)[keywords["id"]]
        planned = api.get(f"/api/v1/tasks/{keywords['id']}/reminders").json()["data"]
        assert planned and all(r["state"] == "pending" for r in planned)
        page.goto(f"/runs/{run['id']}")
        expect(page.locator("#replan")).to_be_visible()
        page.locator("#replan form.replan-option button[value=accept]").first.click()
        expect(page.locator("#replan")).to_have_count(0)
        moved = api.get(f"/api/v1/tasks/{keywords['id']}").json()
        assert moved["due_on"] != keywords["due_on"], "the re-plan did not move the next step"
        after = feed_events(url)[keywords["id"]]
        assert after["start"] == date.fromisoformat(moved["due_on"]) and after["sequence"] > before["sequence"]
        rows = api.get(f"/api/v1/tasks/{keywords['id']}/reminders").json()["data"]
        old = [r for r in rows if r["id"] in {p["id"] for p in planned}]
        assert old and all(r["state"] == "cancelled" for r in old)
        new = [r for r in rows if r["due_on"] == moved["due_on"]]
        assert new and all(r["state"] == "pending" and r["version"] > planned[0]["version"] for r in new)

        # The workspace's Slack endpoint heard of none of it (the fan-out has read past every event of the run).
        engine = tasks_engine()
        try:
            with Session(engine) as s:
                last = s.exec(select(func.max(Event.id)).where(Event.run_id == run["id"])).one()

            def read_past() -> bool:
                with Session(engine) as s:
                    cursor = s.get(FanoutCursor, 1)
                    return cursor is not None and cursor.last_event_id >= last

            until(read_past, 60, "the webhook fan-out to read the run's events", every=0.5)
            with Session(engine) as s:
                sent = s.exec(
                    select(func.count()).select_from(WebhookDelivery).where(
                        col(WebhookDelivery.endpoint_id) == hook.json()["id"]
                    )
                ).one()  # fmt: skip
        finally:
            engine.dispose()
        assert sent == 0 and slack.arrivals == []
        print(
            f"\n[browser story] digest to {anna.email}: 1 item; feed SEQUENCE {before['sequence']} → "
            f"{after['sequence']}; {len(old)} reminders cancelled, {len(new)} planned anew; Slack: 0 messages"
        )
        context.close()
    api.close()
