"""The workflow pages around the story: dates added to and removed from a template in the editor, a template copied
from another workspace of the user, and ids of a workspace the user does not belong to answered with the 404 page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests import support
from tests.workflow_support import add_members, blog_roles, blog_run_alone, second_workspace

pytestmark = pytest.mark.browser
NOT_HERE = "This page does not exist, or it is not in your workspace."


def _builtin(live, account: support.Account, key: str = "blog-post") -> dict:
    answer = httpx.post(
        f"{live.base_url}/api/v1/workflows/builtins/{key}", json={"language": "en"}, headers=account.headers()
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _save(page: Page) -> None:
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(f"/workflows/{_id(page)}")):
        page.get_by_role("button", name="Save as draft").click()


def sign_in(page: Page, account: support.Account, path: str) -> None:
    """tests.browser.sign_in, waiting as long as the story's pages do: checking a password is slow on two busy cores."""
    page.goto(path)
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+" + re.escape(path) + "$"), timeout=15_000)


def _switch_to(page: Page, account: support.Account, path: str) -> None:
    """Sign in (the newest workspace is the current one then), switch to the account's own workspace, open path."""
    sign_in(page, account, "/")
    expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))  # effekt.js submits the switcher on change
    if page.locator("#ws-select").input_value() != account.slug:
        page.locator("#ws-select").select_option(account.slug)
        # the page the switch lands on marks the account's workspace as the selected one
        expect(page.locator(f"#ws-select option[value='{account.slug}']")).to_have_attribute("selected", "")
    page.goto(path)
    expect(page.locator("#ws-select")).to_have_value(account.slug)


def _submit(page: Page, button: str) -> None:
    """Press a button of the start form and wait for the service's answer (on two busy cores it can take a while)."""
    with page.expect_response(lambda r: r.request.method == "POST" and "/start" in r.url):
        page.get_by_role("button", name=button).click()


def _id(page: Page) -> str:
    return re.search(r"/workflows/(\d+)", page.url).group(1)


def test_dates_are_added_and_removed_in_the_editor(page: Page, live, account):
    wf = _builtin(live, account)
    sign_in(page, account, f"/workflows/{wf['id']}")
    dates = page.locator("#anchors")
    expect(dates.locator(".anchor-row")).to_have_count(1)

    # A key that cannot be one: the message stands beside the field and nothing is saved.
    dates.get_by_label("Key (for the API)").fill("Review date!")
    _save(page)
    expect(page.locator("#anchor-new-key-error")).to_contain_text("Use 1 to 40 lowercase letters")
    expect(page.locator("#anchor-new-key")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#anchor-new-key")).to_have_value("Review date!")

    # A second, fixed date.
    page.locator("#anchor-new-key").fill("review")
    page.locator("#anchor-new-name").fill("Review meeting")
    page.locator("input[name=anchor-new-hard]").check()
    _save(page)
    expect(page.get_by_role("status")).to_contain_text("Saved as draft version 2")
    review = page.locator("#date-review")
    expect(review.get_by_label("Date review")).to_have_value("Review meeting")
    expect(review.locator("input[name$='-hard']")).to_be_checked()
    expect(page.locator("#anchor-new-key")).to_have_value("")

    # The outline approval now counts from the review meeting; removing that date is refused beside it.
    approval = page.locator("select[name='step-3-anchor']")
    approval.select_option(label="Review meeting")
    _save(page)
    expect(page.locator("select[name='step-3-anchor']")).to_have_value("review")
    page.locator("#date-review").get_by_label("Remove this date").check()
    _save(page)
    error = page.locator("#date-review .field-error")
    expect(error).to_have_text(
        "These steps still count from this date: Approve the outline. Choose another date for them first."
    )
    expect(page.locator("#date-review").get_by_label("Remove this date")).to_be_checked()
    expect(page.locator("select[name='step-3-anchor']")).to_have_attribute("aria-invalid", "true")
    version = httpx.get(f"{live.base_url}/api/v1/workflows/{wf['id']}/versions", headers=account.headers()).json()
    assert [a["key"] for a in version["data"][-1]["definition"]["anchors"]] == ["publish", "review"]

    # Moving the step back to the publish date in the same save lets the date go.
    page.locator("select[name='step-3-anchor']").select_option("publish")
    _save(page)
    expect(page.get_by_role("status")).to_contain_text("Saved as draft version 2")
    expect(page.locator("#date-review")).to_have_count(0)
    version = httpx.get(f"{live.base_url}/api/v1/workflows/{wf['id']}/versions", headers=account.headers()).json()
    assert [a["key"] for a in version["data"][-1]["definition"]["anchors"]] == ["publish"]

    # The last date cannot go while the steps count from it.
    page.locator("#date-publish").get_by_label("Remove this date").check()
    _save(page)
    expect(page.locator("#date-publish .field-error")).to_contain_text("These steps still count from this date")


def test_a_template_is_copied_from_another_workspace(page: Page, live, account, other_account):
    client_b = second_workspace(account, f"Client B {account.slug[-6:]}")
    theirs = _builtin(live, client_b, "newsletter")
    stranger = _builtin(live, other_account, "client-onboarding")  # a workspace the user is not in
    _switch_to(page, account, "/workflows")
    page.get_by_role("link", name="Copy from another workspace").click()
    expect(page).to_have_url(re.compile(r"/workflows/copy$"))
    source = page.locator(f"#source-{client_b.workspace_id}")
    expect(source.get_by_role("heading")).to_have_text(f"Client B {account.slug[-6:]}")
    expect(source).to_contain_text(theirs["name"])
    expect(page.get_by_text(stranger["name"])).to_have_count(0)
    page.screenshot(path=f"{support.screenshot_dir()}/workflows-copy.png", full_page=True)

    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/workflows/copy")):
        source.get_by_role("button", name=f"Copy “{theirs['name']}” into this workspace").click()
    report = page.locator(".tpl-report")
    expect(report.get_by_role("heading")).to_have_text(f"“{theirs['name']}” has been copied into this workspace")
    report.get_by_role("link", name="Open the copy").click()
    expect(page).to_have_url(re.compile(r"/workflows/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(theirs["name"])
    copy_id = int(page.url.rsplit("/", 1)[1])
    assert copy_id != theirs["id"]
    mine = httpx.get(f"{live.base_url}/api/v1/workflows", headers=account.headers()).json()
    assert [w["name"] for w in mine["data"]] == [theirs["name"]]

    # A source the user cannot see (another workspace's id, sent by hand) is refused on the page, not copied.
    page.goto("/workflows/copy")
    page.locator(f"#source-{client_b.workspace_id} input[name=source_id]").evaluate(
        f"(el) => el.value = '{stranger['id']}'"
    )
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/workflows/copy")):
        page.locator(f"#source-{client_b.workspace_id}").get_by_role("button").first.click()
    expect(page.get_by_role("alert")).to_have_text("That template is no longer in a workspace you belong to.")
    mine = httpx.get(f"{live.base_url}/api/v1/workflows", headers=account.headers()).json()
    assert mine["count"] == 1


def test_another_workspaces_ids_are_the_404_page(page: Page, live, account, other_account):
    publish = (date.today() + timedelta(days=30)).isoformat()
    wf, run = blog_run_alone(live.base_url, other_account, publish)
    task = run["tasks"][0]["id"]
    sign_in(page, account, "/workflows")
    for path in [
        f"/runs/{run['id']}",
        f"/runs/{run['id']}?ws={other_account.workspace_id}",
        f"/workflows/{wf['id']}",
        f"/workflows/{wf['id']}/start",
        f"/workflows/{wf['id']}/retrospective",
        "/runs/99999999999",
    ]:
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text(NOT_HERE)

    # A step's action on a foreign task, posted with the page's own CSRF token, is the 404 page too.
    own_wf, own_run = blog_run_alone(live.base_url, account, publish)
    page.goto(f"/runs/{own_run['id']}")
    token = page.locator("#step-idea form[action$='/complete'] input[name=csrf_token]").input_value()
    answer = page.request.post(
        f"/runs/{own_run['id']}/tasks/{task}/complete", form={"csrf_token": token}, max_redirects=0
    )
    assert answer.status == 404
    assert NOT_HERE in answer.text()
    foreign = httpx.get(f"{live.base_url}/api/v1/tasks/{task}", headers=other_account.headers()).json()
    assert foreign["state"] == "open"


def test_a_run_of_another_workspace_of_the_user_shows_its_people(page: Page, live, account):
    """My work links to a run of another workspace the user belongs to: names, not placeholders."""
    client_b = second_workspace(account, f"Client C {account.slug[-6:]}")
    wf, run = blog_run_alone(live.base_url, client_b, (date.today() + timedelta(days=30)).isoformat())
    _switch_to(page, account, "/my-work")
    link = page.locator("#my-work").get_by_role("link", name=run["tasks"][0]["title"])
    link.click()
    expect(page).to_have_url(re.compile(rf"/runs/{run['id']}\?ws={client_b.workspace_id}$"))
    expect(page.locator(".breadcrumb")).to_contain_text(f"Client C {account.slug[-6:]}")
    expect(page.locator(".holders")).not_to_contain_text("#")
    expect(page.locator("#step-idea td").nth(1)).not_to_have_text(re.compile(r"#\d+"))
    # Reassigning a role there: the run's history says who held it and who holds it now.
    roles = page.locator("#roles")
    roles.get_by_label("Role", exact=True).select_option(label="Graphic designer")
    roles.get_by_label("New person").select_option(label="Siri")
    roles.get_by_role("button", name="Reassign").click()
    expect(page).to_have_url(re.compile(rf"/runs/{run['id']}\?ws={client_b.workspace_id}$"))
    expect(page.locator("#history .reassigned")).to_have_text(re.compile(r"^Graphic designer: User \w+ → Siri$"))
    page.locator("#note-body").fill("The designer should have been asked earlier")
    page.locator("#notes").get_by_role("button", name="Add note").click()
    expect(page).to_have_url(re.compile(rf"/runs/{run['id']}\?ws={client_b.workspace_id}$"))
    retro = f"{live.base_url}/api/v1/workflows/{wf['id']}/retrospective"
    notes = httpx.get(retro, headers=client_b.headers()).json()["notes"]
    assert [n["body"] for n in notes] == ["The designer should have been asked earlier"]


def test_starting_a_run_names_what_is_missing_beside_it_and_links_a_surface_and_an_action(page: Page, live, account):
    people = add_members(account, ["Anna", "Ben", "Cara", "Dan"])
    wf = _builtin(live, account)
    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:
        surface = c.post(
            "/api/v1/surfaces", json={"name": "Company blog", "kind": "website", "period_start": "2026-01-01"}
        )
        action = c.post("/api/v1/actions", json={"title": "Write about pricing"})
    assert surface.status_code == 201 and action.status_code == 201, (surface.text, action.text)
    sign_in(page, account, f"/workflows/{wf['id']}/start")
    _submit(page, "Preview the dates")
    expect(page.locator("#anchor-publish-error")).to_have_text("Choose a date.")
    expect(page.locator("#anchor-publish")).to_have_attribute("aria-invalid", "true")

    page.locator("#anchor-publish").fill((date.today() + timedelta(days=30)).isoformat())
    names = {p.user_id: name for name, p in people.items()}
    for role, user_id in blog_roles(people).items():
        if role != "designer":
            page.locator(f"#role-{role}").select_option(label=names[user_id])
    page.locator("#surface_id").select_option(label="Company blog")
    page.locator("#action_id").select_option(label="Write about pricing")
    _submit(page, "Start the run")
    expect(page.locator("#role-designer-error")).to_have_text("Choose a member of this workspace for this role.")
    expect(page.locator("tr.preview-step")).to_have_count(8)  # the dates were fine: their preview stays
    expect(page.locator("#surface_id")).to_have_value(str(surface.json()["id"]))
    assert httpx.get(f"{live.base_url}/api/v1/workflow-runs", headers=account.headers()).json()["count"] == 0

    page.locator("#role-designer").select_option(label="Dan")
    _submit(page, "Start the run")
    expect(page).to_have_url(re.compile(r"/runs/\d+$"))
    serves = page.locator(".run-serves")
    expect(serves.get_by_role("link", name="Company blog")).to_have_attribute(
        "href", f"/surfaces/{surface.json()['id']}"
    )
    expect(serves.get_by_role("link", name="Write about pricing")).to_be_visible()
    page.goto(f"/runs?surface_id={surface.json()['id']}")
    expect(page.locator("#f-surface")).to_have_value(str(surface.json()["id"]))
    expect(page.locator("#runs tbody tr")).to_have_count(1)
