"""The seed's blog-post story in a real browser, in English and in Finnish: start the workflow for a publish date
30 days ahead, six roles on four people, the preview's eight dates, each person sees their step arrive in My work,
the outline approval is sent back and approved, images finish two days late and the re-plan is accepted, the post
is published, and the run shows up in the retrospective."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests import support
from tests.conftest import CHROMIUM
from tests.workflow_support import add_members

DOCS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "docs")
HEADINGS = {"en": "My work", "fi": "Oma työ"}


def open_as(chromium, live, person: support.Account, lang: str) -> Page:
    context = chromium.new_context(
        base_url=live.base_url, viewport={"width": 1280, "height": 900}, locale="fi-FI" if lang == "fi" else "en-GB"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/my-work")
    page.locator("input[name=email]").fill(person.email)
    page.locator("input[name=password]").fill(support.PASSWORD)
    page.locator("form[action^='/signin'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/my-work$"))
    return page


def shot(page: Page, name: str, lang: str) -> None:
    if lang == "en":
        page.screenshot(path=os.path.join(DOCS, f"workflows-{name}.png"), full_page=True)
    page.screenshot(path=os.path.join(support.screenshot_dir(), f"workflows-{name}-{lang}.png"), full_page=True)


def pick_up(page: Page, title: str, bucket: str = "") -> None:
    """The step has arrived in My work: follow it to its run."""
    page.goto("/my-work")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADINGS[page.evaluate("document.documentElement.lang")])
    scope = page.locator(f"#bucket-{bucket}") if bucket else page.locator("#my-work")
    link = scope.get_by_role("link", name=title)
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("#timeline svg")).to_be_visible()


def act(page: Page, step: str, action: str) -> None:
    with page.expect_response(lambda r: f"/{action}" in r.url and r.request.method == "POST"):
        page.locator(f"#step-{step} form[action*='/{action}'] button").click()
    expect(page.locator("#steps")).to_be_visible()
    expect(page.locator(".alert-error")).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "fi"])
def test_the_blog_post_story(chromium, live, account, lang):
    if not os.path.exists(CHROMIUM):
        pytest.skip("no Chromium")
    people = add_members(account, ["Anna", "Ben", "Cara", "Dan"])
    owner = open_as(chromium, live, account, lang)
    owner.goto("/workflows")
    owner.locator("form[action='/workflows/builtins/blog-post'] button").click()
    expect(owner).to_have_url(re.compile(r"/workflows/\d+$"))
    workflow_id = int(owner.url.rsplit("/", 1)[1])
    shot(owner, "editor", lang)
    titles = owner.locator("input[name$='-title']")
    expect(titles).to_have_count(9)  # eight steps and the row for a new one
    first_title = titles.first.input_value()

    owner.goto(f"/workflows/{workflow_id}/start")
    publish = date.today() + timedelta(days=30)
    owner.locator("#anchor-publish").fill(publish.isoformat())
    for role, name in {
        "content": "Anna",
        "seo": "Ben",
        "writer": "Cara",
        "lead": "Anna",
        "designer": "Dan",
        "social": "Ben",
    }.items():
        owner.locator(f"#role-{role}").select_option(label=name)
    owner.locator("button[value=preview]").click()
    expect(owner.locator("tr.preview-step")).to_have_count(8)
    expect(owner.locator("tr.preview-step").last.locator("td.due")).not_to_be_empty()
    shot(owner, "preview", lang)
    owner.locator("button[value=start]").click()
    expect(owner).to_have_url(re.compile(r"/runs/\d+$"))
    run_id = int(owner.url.rsplit("/", 1)[1])

    pages = {}
    for name, person in people.items():
        pages[name] = open_as(chromium, live, person, lang)
    anna, ben, cara, dan = (pages[n] for n in ("Anna", "Ben", "Cara", "Dan"))

    pick_up(anna, first_title)
    shot(anna, "my-work", lang)
    act(anna, "idea", "complete")
    keywords = owner_titles(owner, run_id)
    pick_up(ben, keywords["keywords"])
    act(ben, "keywords", "complete")
    pick_up(cara, keywords["outline"])
    act(cara, "outline", "complete")
    pick_up(ben, keywords["approve-outline"], "waiting_for_approval")
    act(ben, "approve-outline", "approve")

    pick_up(anna, keywords["approve-outline"], "waiting_for_approval")
    anna.locator("#step-approve-outline details.send-back summary").click()
    anna.locator("#step-approve-outline textarea[name=comment]").fill("Add a section on pricing")
    anna.locator("#step-approve-outline form[action*='/send-back'] button").click()
    expect(anna.locator("#step-outline.state-sent_back")).to_be_visible()
    expect(anna.locator("#history")).to_contain_text("Add a section on pricing")

    pick_up(cara, keywords["outline"])
    act(cara, "outline", "complete")
    pick_up(ben, keywords["approve-outline"], "waiting_for_approval")
    act(ben, "approve-outline", "approve")
    pick_up(anna, keywords["approve-outline"], "waiting_for_approval")
    act(anna, "approve-outline", "approve")
    expect(anna.locator("#step-approve-outline.state-done")).to_be_visible()

    pick_up(cara, keywords["draft"])
    act(cara, "draft", "complete")
    # The images step runs two working days past its due date.
    run = httpx.get(f"{live.base_url}/api/v1/workflow-runs/{run_id}", headers=account.headers()).json()
    images = next(t for t in run["tasks"] if t["step_key"] == "images")
    late_due = date.today() - timedelta(days=4 if date.today().weekday() < 2 else 2)
    r = httpx.patch(
        f"{live.base_url}/api/v1/tasks/{images['id']}", json={"due_on": late_due.isoformat()}, headers=account.headers()
    )
    assert r.status_code == 200, r.text
    pick_up(dan, keywords["images"], "overdue")
    act(dan, "images", "complete")

    owner.goto(f"/runs/{run_id}")
    expect(owner.locator("#replan")).to_be_visible()
    expect(owner.locator("#replan del").first).to_be_visible()
    shot(owner, "run", lang)
    owner.locator("#replan form.replan-option button[value=accept]").first.click()
    expect(owner.locator("#replan")).to_have_count(0)

    pick_up(ben, keywords["social"])
    act(ben, "social", "complete")
    pick_up(cara, keywords["publish"])
    act(cara, "publish", "complete")
    expect(cara.locator(".badge-ok")).to_be_visible()

    owner.goto(f"/workflows/{workflow_id}/retrospective")
    expect(owner.locator("tr.retro-step")).to_have_count(8)
    expect(owner.locator("#retro-images")).to_contain_text("1 / 1")
    shot(owner, "retrospective", lang)
    # The suggestions become the next draft, reviewed in the editor (the diff shows what moved), then published.
    owner.locator("form[action$='/retrospective/draft'] button").click()
    expect(owner).to_have_url(re.compile(rf"/workflows/{workflow_id}$"))
    expect(owner.locator("#version-diff li").first).to_be_visible()
    expect(owner.locator("#version-diff")).to_contain_text("images")
    owner.locator("form[action$='/publish'] button").click()
    expect(owner.locator("form[action$='/publish']")).to_have_count(0)
    published = httpx.get(f"{live.base_url}/api/v1/workflows/{workflow_id}", headers=account.headers()).json()
    assert published["published_version"] == 2 and published["draft_version"] is None
    for p in [owner, *pages.values()]:
        p.context.close()


def owner_titles(page: Page, run_id: int) -> dict[str, str]:
    """The run's step titles by key, as the run page shows them (in the page's language)."""
    page.goto(f"/runs/{run_id}")
    rows = page.locator("tr.step-row")
    out = {}
    for i in range(rows.count()):
        row = rows.nth(i)
        out[row.get_attribute("id").removeprefix("step-")] = row.locator(".step-title").inner_text().strip()
    return out
