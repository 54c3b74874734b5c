"""Feedback typed in by hand on the inbox page: a refused field is named beside it, a filed item opens as new."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "Email": "Email",
        "Password": "Password",
        "Sign in": "Sign in",
        "New item": "New item",
        "Channel": "Channel",
        "Phone": "Phone",
        "Kind": "Kind",
        "Question": "Question",
        "What the customer said": "What the customer said",
        "Customer's name": "Customer's name",
        "Received at": "Received at",
        "File the item": "File the item",
        "text error": "Write what the customer said",
        "filed": "The item was filed as new.",
        "New": "New",
        "history": "Received through Phone",
    },
    "nb": {
        "Email": "E-post",
        "Password": "Passord",
        "Sign in": "Logg inn",
        "New item": "Ny sak",
        "Channel": "Kanal",
        "Phone": "Telefon",
        "Kind": "Type",
        "Question": "Spørsmål",
        "What the customer said": "Hva kunden sa",
        "Customer's name": "Kundens navn",
        "Received at": "Tidspunkt mottatt",
        "File the item": "Registrer saken",
        "text error": "Skriv hva kunden sa",
        "filed": "Saken ble registrert som ny.",
        "New": "Ny",
        "history": "Mottatt via Telefon",
    },
}
LOCALES = {"en": "en-GB", "nb": "nb-NO"}


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_a_phone_call_is_typed_in_and_filed_as_new(chromium, live, account, lang):
    w = WORDS[lang]
    team = chromium.new_context(base_url=live.base_url, locale=LOCALES[lang], viewport={"width": 1280, "height": 860})
    team.set_default_timeout(15_000)
    page = team.new_page()
    page.goto("/feedback")
    page.get_by_label(w["Email"]).fill(account.email)
    page.get_by_label(w["Password"]).fill(account.password)
    page.get_by_role("button", name=w["Sign in"]).click()
    expect(page).to_have_url(re.compile(r"/feedback$"))

    page.get_by_text(w["New item"], exact=True).click()
    form = page.locator("#new-item")
    form.get_by_label(w["Channel"]).select_option(label=w["Phone"])
    form.get_by_label(w["Kind"]).select_option(label=w["Question"])
    form.get_by_label(w["Customer's name"]).fill("Kari Nordmann")
    form.get_by_label(w["Received at"]).fill("2026-03-14T09:30")
    form.get_by_role("button", name=w["File the item"]).click()  # no text: refused beside the field, kept
    expect(page.locator("#new-text-error")).to_contain_text(w["text error"])
    form = page.locator("#new-item")
    expect(form.get_by_label(w["What the customer said"])).to_be_focused()
    expect(form.get_by_label(w["Customer's name"])).to_have_value("Kari Nordmann")
    expect(form.get_by_label(w["Channel"])).to_have_value("phone")
    page.set_viewport_size({"width": 360, "height": 740})  # the open form fits a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 860})

    form.get_by_label(w["What the customer said"]).fill("When does the <i>spring</i> sale start?")
    form.get_by_role("button", name=w["File the item"]).click()
    expect(page).to_have_url(re.compile(r"/feedback/\d+\?done=created$"))
    expect(page.get_by_role("status")).to_have_text(w["filed"])
    expect(page.locator("#item-state")).to_have_text(w["New"])
    expect(page.get_by_text("When does the <i>spring</i> sale start?")).to_be_visible()
    expect(page.locator("#item-history li")).to_have_count(1)
    expect(page.locator("#item-history li")).to_contain_text(w["history"])  # in words, not "created: phone"

    page.goto("/feedback")
    row = page.locator("#feedback-table tbody tr").first
    expect(row).to_contain_text("When does the <i>spring</i> sale start?")
    expect(row).to_contain_text(w["Phone"])
    team.close()
