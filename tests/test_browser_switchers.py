"""The language and workspace switchers from the keyboard (issue 14): an arrow key moves through the options
without loading a page; Enter (or the button the change shows) switches. A mouse choice still switches at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import support
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def join(account, other) -> None:
    """The account's user becomes an editor of the other account's workspace too."""
    from gateway import workspaces
    from kit.roles import Role

    support.gateway_db(
        lambda session: workspaces.add_member(
            session=session,
            workspace_id=other.workspace_id,
            actor_role=Role.owner,
            email=account.email,
            role=Role.editor,
        )
    )


def test_arrow_keys_do_not_switch_the_language_enter_does(page, live, account):
    sign_in(page, account, "/kpis")
    language = page.get_by_label("Language")
    change = page.get_by_role("button", name="Change")
    expect(change).to_be_hidden()
    language.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(language).to_have_value("sv")
    expect(change).to_be_visible()  # the keyboard's way to switch, beside the choice
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("KPIs")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page).to_have_url(re.compile(r"/kpis$"))

    # Tab to the shown button after arrowing back works as well.
    language = page.get_by_label("Språk")
    language.focus()
    page.keyboard.press("ArrowUp")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Ändra")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "nb")

    # A choice with the mouse (no key pressed) switches at once.
    page.get_by_label("Språk").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_arrow_keys_do_not_switch_the_workspace(page, live, account):
    other = support.make_account(name="Other Co")
    join(account, other)
    sign_in(page, account, "/")
    workspace = page.get_by_label("Workspace", exact=True)
    workspace.focus()
    names = workspace.locator("option").all_inner_texts()
    current = workspace.evaluate("s => s.selectedIndex")
    other = 1 - current
    page.keyboard.press("ArrowDown" if other > current else "ArrowUp")
    expect(page.get_by_role("button", name="Switch")).to_be_visible()
    expect(workspace.locator("option:checked")).to_have_text(names[other])
    expect(page.locator("#ws-select option[selected]")).to_have_text(names[current])  # only the button shows
    page.keyboard.press("Enter")
    expect(page.locator("#ws-select option[selected]")).to_have_text(names[other])
