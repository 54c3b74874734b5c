"""The strategy pages in a real browser: surfaces, the goal tree (build, reorder, archive, restore), the effect map."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests import support
from tests.browser import goal_row, main_nav_link, sign_in

pytestmark = pytest.mark.browser


def add_goal(page: Page, link_name: str, title: str) -> None:
    page.get_by_role("link", name=link_name).click()
    form = page.locator("#goal-form")
    expect(form.get_by_label("Title")).to_be_focused()  # the form opens where the typing starts
    form.get_by_label("Title").fill(title)
    form.get_by_role("button", name="Add goal").click()
    expect(page.locator(".alert-ok")).to_contain_text(f"“{title}” has been added.")
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()


def close_form(page: Page) -> None:
    page.locator("#goal-form").get_by_role("link", name="Cancel").click()
    expect(page.locator("#goal-form")).to_have_count(0)


def children_titles(page: Page, parent_title: str):
    """The titles of a goal's children, in order (a locator: expect(...).to_have_text([...]) waits for the swap)."""
    parent = page.locator(".tnode", has=goal_row(page, parent_title)).first
    return parent.locator("> ul.tkids > li.tnode > .trow .ttitle")


def test_build_reorder_map_archive_and_restore_the_goal_tree(page, live, account):
    surface = httpx.post(
        f"{live.base_url}/api/v1/surfaces",
        headers=account.headers(),
        json={"name": "Web shop", "kind": "web_shop", "period_start": date.today().replace(day=1).isoformat()},
    )
    assert surface.status_code == 201, surface.text
    sign_in(page, account, "/strategy")
    expect(page.get_by_role("heading", name="Set out your strategy")).to_be_visible()
    expect(page.get_by_role("button", name="Start from the Digital strategy template")).to_be_visible()

    add_goal(page, "Add your first strategic goal", "Grow revenue")
    close_form(page)  # the form stays open for the next goal
    add_goal(page, "Add strategic means under “Grow revenue”", "Happy customers")
    close_form(page)

    # A tactical means needs a surface: the message stands beside the surfaces, then the form goes through.
    page.get_by_role("link", name="Add tactical means under “Happy customers”").click()
    form = page.locator("#goal-form")
    form.get_by_label("Title").fill("Answer within 4 hours")
    form.get_by_role("button", name="Add goal").click()
    expect(form.locator("#gf-surfaces-error")).to_contain_text("Choose at least one active surface")
    expect(form.get_by_label("Title")).to_have_value("Answer within 4 hours")
    form.get_by_role("checkbox", name=re.compile("Web shop")).check()
    form.get_by_role("button", name="Add goal").click()
    tactical = goal_row(page, "Answer within 4 hours")
    expect(tactical).to_contain_text("Tactical means")
    expect(tactical.get_by_role("link", name="Web shop")).to_be_visible()
    expect(tactical).to_contain_text("Not measured")  # no KPI yet: never a made-up number
    close_form(page)

    add_goal(page, "Add strategic means under “Grow revenue”", "Strong brand")
    close_form(page)
    expect(children_titles(page, "Grow revenue")).to_have_text(["Happy customers", "Strong brand"])
    page.get_by_role("button", name="Move down: Happy customers").click()
    expect(page.locator("#tree [role=status]")).to_have_text("The goal has been moved.")
    expect(children_titles(page, "Grow revenue")).to_have_text(["Strong brand", "Happy customers"])
    # Focus stays on the button, so the keyboard can move it back at once.
    expect(page.get_by_role("button", name="Move down: Happy customers")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Move up: Happy customers")).to_be_focused()
    page.keyboard.press("Enter")
    expect(children_titles(page, "Grow revenue")).to_have_text(["Happy customers", "Strong brand"])
    expect(page.get_by_role("button", name="Move up: Happy customers")).to_be_focused()

    page.get_by_role("link", name="Effect map").click()
    expect(page).to_have_url(re.compile(r"/strategy/map$"))
    map_url = page.url
    node = page.locator("svg a.map-goal", has_text="Happy customers")
    expect(node).to_be_visible()
    page.screenshot(path=f"{support.screenshot_dir()}/effect-map.png", full_page=True)
    node.click()
    panel = page.locator("#panel")
    expect(panel.get_by_role("heading", name="Happy customers")).to_be_visible()
    expect(panel).to_contain_text("Strategic means")
    expect(panel.get_by_role("link", name="Answer within 4 hours")).to_be_visible()
    assert page.url == map_url  # the panel opened without a page load
    expect(panel).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel.get_by_role("heading", name="Happy customers")).to_have_count(0)

    page.get_by_role("link", name="Goal tree").click()
    page.once("dialog", lambda dialog: (_check_subtree_question(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Archive: Grow revenue").click()
    expect(page.locator(".alert-ok")).to_contain_text("“Grow revenue” has been archived, with everything under it.")
    expect(page.get_by_role("link", name="Happy customers", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Show archived").click()
    expect(goal_row(page, "Happy customers")).to_contain_text("Archived")
    page.get_by_role("button", name="Restore Grow revenue").click()
    expect(page.locator(".alert-ok")).to_contain_text("“Grow revenue” has been restored, with everything under it.")
    page.get_by_role("link", name="Hide archived").click()
    expect(page).to_have_url(re.compile(r"/strategy$"))
    for title in ("Grow revenue", "Happy customers", "Strong brand", "Answer within 4 hours"):
        expect(goal_row(page, title)).not_to_contain_text("Archived")
    page.screenshot(path=f"{support.screenshot_dir()}/goal-tree.png", full_page=True)


def _check_subtree_question(message: str) -> None:
    assert message.startswith("Archive “Grow revenue” and the 3 goals under it?"), message


def test_goal_page_shows_history_and_breadcrumb(page, live, account):
    headers = account.headers()
    root = httpx.post(
        f"{live.base_url}/api/v1/goals", headers=headers, json={"title": "Reduce costs", "level": "strategic_goal"}
    ).json()
    means = httpx.post(
        f"{live.base_url}/api/v1/goals",
        headers=headers,
        json={"title": "Self-service", "level": "strategic_means", "parent_id": root["id"]},
    ).json()
    changed = httpx.patch(
        f"{live.base_url}/api/v1/goals/{means['id']}",
        headers=headers,
        json={"title": "Customers serve themselves", "period_to": "2026-12-31"},
    )
    assert changed.status_code == 200, changed.text
    sign_in(page, account, f"/goals/{means['id']}")
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.get_by_role("link", name="Reduce costs")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers serve themselves")
    history = page.locator(".timeline")
    expect(history).to_contain_text("changed the goal")
    expect(history.locator("del", has_text="Self-service")).to_be_visible()
    expect(history).to_contain_text("created the goal")
    expect(page.get_by_text("No KPIs are linked to this goal.")).to_be_visible()


def test_surfaces_create_archive_and_restore(page, account):
    sign_in(page, account, "/surfaces")
    expect(page.get_by_role("heading", name="No surfaces yet")).to_be_visible()
    form = page.locator("#surface_form")
    form.get_by_label("Address").fill("www.example.org")
    form.get_by_role("button", name="Add surface").click()
    expect(form.locator("#new-surface-name-error")).to_contain_text("Enter a name")
    expect(form.locator("#new-surface-url-error")).to_contain_text("starts with https://")
    expect(form.get_by_label("Name")).to_be_focused()

    form.get_by_label("Name").fill("Main website")
    form.get_by_label("Address").fill("https://www.example.org")
    form.get_by_label("Measured").select_option("monthly")
    form.get_by_role("button", name="Add surface").click()
    row = page.locator("#surface_list tbody tr", has_text="Main website")
    expect(row).to_contain_text("Monthly")
    expect(page.locator("#surface_list .alert-ok")).to_contain_text("“Main website” has been added.")
    page.screenshot(path=f"{support.screenshot_dir()}/surfaces.png", full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Archive Main website").click()
    expect(page.locator("#surface_list .alert-ok")).to_contain_text("“Main website” has been archived.")
    expect(page.locator("#surface_list tbody tr", has_text="Main website")).to_have_count(0)

    page.get_by_label("Show").select_option("archived")
    expect(page).to_have_url(re.compile(r"status=archived"))
    archived = page.locator("#surface_list tbody tr", has_text="Main website")
    expect(archived).to_contain_text("Archived")
    archived.get_by_role("button", name="Restore Main website").click()
    expect(page.locator("#surface_list .alert-ok")).to_contain_text("“Main website” has been restored.")
    page.get_by_label("Show").select_option("active")
    expect(page.locator("#surface_list tbody tr", has_text="Main website")).to_be_visible()

    page.locator("#surface_list").get_by_role("link", name="Main website").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Main website")
    expect(page.get_by_text("No tactical means are tied to this surface yet.")).to_be_visible()


def test_the_pages_say_so_when_the_goals_service_is_down(page, live, account):
    sign_in(page, account, "/surfaces")
    support.stop_service(live, "goals")
    try:
        page.goto("/surfaces")
        expect(page.locator("#surface_list")).to_contain_text("this part of Effekt is not answering")
        page.goto("/strategy")
        expect(page.get_by_role("heading", name="The goal tree cannot be shown right now")).to_be_visible()
        page.goto("/strategy/map")
        expect(page.get_by_role("heading", name="The effect map cannot be drawn right now")).to_be_visible()
        response = page.goto("/goals/1")
        assert response.status == 503
        expect(page.get_by_role("heading", level=1)).to_have_text("A part of Effekt is not answering right now.")
    finally:
        support.start_service(live, "goals")
    page.goto("/strategy")
    expect(page.get_by_role("heading", name="Set out your strategy")).to_be_visible()


def _created(response: httpx.Response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


def _second_workspace(account: support.Account, name: str) -> tuple[str, str]:
    """Another workspace owned by the account's user, and an admin token there: (slug, token)."""
    from gateway import tokens, workspaces
    from gateway.models import ApiTokenCreate, User, WorkspaceCreate
    from kit.roles import Role

    def create(session):
        user = session.get(User, account.user_id)
        ws = workspaces.create_workspace(session=session, data=WorkspaceCreate(name=name), owner=user)
        _, raw = tokens.create_token(
            session=session,
            workspace_id=ws.id,
            user_id=user.id,
            creator_role=Role.owner,
            data=ApiTokenCreate(name="test", role=Role.admin),
        )
        return ws.slug, raw

    return support.gateway_db(create)


def test_save_a_tree_as_a_template_and_use_it_in_another_workspace(page, live, account):
    """The agency path: a structure built for one client is saved once and reused for the next client."""
    api, headers = f"{live.base_url}/api/v1", account.headers()
    period = date.today().replace(day=1).isoformat()
    shop = _created(
        httpx.post(
            f"{api}/surfaces",
            headers=headers,
            json={"name": "Client A shop", "kind": "web_shop", "period_start": period},
        )
    )
    root = _created(
        httpx.post(f"{api}/goals", headers=headers, json={"title": "Grow online sales", "level": "strategic_goal"})
    )
    means = _created(
        httpx.post(
            f"{api}/goals",
            headers=headers,
            json={"title": "Easy checkout", "level": "strategic_means", "parent_id": root["id"]},
        )
    )
    _created(
        httpx.post(
            f"{api}/goals",
            headers=headers,
            json={
                "title": "Two-step checkout",
                "level": "tactical_means",
                "parent_id": means["id"],
                "surface_ids": [shop["id"]],
            },
        )
    )

    # Workspace A: save the tree as a template (a name is required; the message stands beside the field).
    sign_in(page, account, "/strategy")
    expect(goal_row(page, "Two-step checkout")).to_be_visible()
    card = page.locator("#save_template")
    card.locator("summary").click()
    card.get_by_role("button", name="Save as template").click()
    expect(card.locator("#tpl-name-error")).to_contain_text("Enter a name for the template")
    expect(card.get_by_label("Template name")).to_be_focused()
    card.get_by_label("Template name").fill("Agency starter")
    card.get_by_label("Description").fill("Shop first: the structure we start every client with.")
    card.get_by_role("button", name="Save as template").click()
    expect(card.get_by_role("status")).to_have_text(
        "Saved as template “Agency starter”. You can start from it in any workspace you belong to. See your templates"
    )

    # The next client gets a workspace of its own (same user, a shop too); through the top bar's switcher
    # the template is there as well.
    other_name = f"Client B {account.slug[-6:]}"
    other_slug, other_token = _second_workspace(account, other_name)
    _created(
        httpx.post(
            f"{api}/surfaces",
            headers={"Authorization": f"Bearer {other_token}"},
            json={"name": "Client B shop", "kind": "web_shop", "period_start": period},
        )
    )
    page.reload()  # the workspace was made outside this page: the switcher lists it from the next page on
    page.locator("#ws-select").select_option(label=other_name)
    expect(page.locator("#ws-select")).to_have_value(other_slug)
    # the switch lands on the other workspace's home page; only then is the menu the new page's
    expect(page.get_by_role("heading", level=1, name=other_name)).to_be_visible()
    main_nav_link(page, "Strategy").click()
    expect(page.get_by_role("heading", name="Set out your strategy")).to_be_visible()
    page.get_by_role("link", name="Templates", exact=True).click()
    expect(page).to_have_url(re.compile(r"/strategy/templates$"))
    mine = page.locator(".tpl-card", has=page.get_by_role("heading", name="Agency starter"))
    expect(mine).to_contain_text("3 goals")
    expect(mine).to_contain_text("Shop first: the structure we start every client with.")
    expect(mine).to_contain_text("Web shop")
    builtin = page.locator(".tpl-card", has=page.get_by_role("heading", name="Digital strategy"))
    expect(builtin).to_contain_text("Built in")
    page.screenshot(path=f"{support.screenshot_dir()}/strategy-templates.png", full_page=True)

    mine.get_by_role("button", name="Use in this workspace").click()  # no goals yet: no question
    report = page.locator(".tpl-report")
    expect(report.get_by_role("heading")).to_have_text("The template “Agency starter” has been used")
    expect(report).to_contain_text("3 goals have been created from the template.")
    expect(report.get_by_role("link", name="Two-step checkout")).to_be_visible()
    page.screenshot(path=f"{support.screenshot_dir()}/strategy-template-used.png", full_page=True)
    report.get_by_role("link", name="Open the goal tree").click()
    expect(page).to_have_url(re.compile(r"/strategy$"))
    tactical = goal_row(page, "Two-step checkout")
    expect(tactical.get_by_role("link", name="Client B shop")).to_be_visible()
    expect(tactical.get_by_role("link", name="Client A shop")).to_have_count(0)
    expect(children_titles(page, "Grow online sales")).to_have_text(["Easy checkout"])

    # Now the workspace has goals: using a template asks first, since it adds to the tree; what has no
    # surface of its kind here is left out, and the report says why.
    page.get_by_role("link", name="Templates", exact=True).click()
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    builtin.get_by_role("button", name="Use in this workspace").click()
    expect(report).to_contain_text("because the workspace has no surface of their kind yet")
    expect(report).to_contain_text("Be found and chosen on the website (Website)")
    assert questions == ["This workspace already has goals. Add the goals of “Digital strategy” after them?"]
