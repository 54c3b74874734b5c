"""The platform's main path in a real browser: sign in, switch language, create an API token, use it."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests import support

pytestmark = pytest.mark.browser


def sign_in(page, account) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin"))
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Test Co")


def test_sign_in_switch_language_and_create_a_token(page, live, account):
    page.goto("/signin")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The email or password is wrong.")
    sign_in(page, account)

    page.get_by_label("Language").select_option("nb")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("link", name="Innstillinger")).to_be_visible()

    page.goto("/settings/tokens")
    page.locator("#token-name").fill("Rapportskript")
    page.locator("#token-role").select_option("editor")
    page.locator("#tokens form[action='/settings/tokens'] button[type=submit]").click()
    secret = page.locator("#new-token")
    expect(secret).to_have_value(re.compile(r"^efk_"))
    raw = secret.input_value()
    row = page.locator("#tokens table tbody tr", has_text="Rapportskript")
    expect(row).to_be_visible()
    expect(row).to_contain_text(raw[:10])
    page.screenshot(path=f"{support.screenshot_dir()}/tokens-nb.png", full_page=True)

    me = httpx.get(f"{live.base_url}/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).json()
    assert me["workspace"]["slug"] == account.slug and me["role"] == "editor"

    page.reload()  # shown once: a reload lists the token but never the secret again
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator("#tokens table tbody tr", has_text="Rapportskript")).to_be_visible()


def test_keyboard_only_sign_in(page, account):
    page.goto("/signin")
    expect(page.locator("#email")).to_be_focused()  # the page starts where the typing starts
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    page.keyboard.type(account.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Test Co")
    page.keyboard.press("Tab")  # from the page top, Tab reaches the skip link, then the navigation
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
