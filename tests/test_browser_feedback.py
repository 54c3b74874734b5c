"""Feedback in a real browser: a customer complains through the public form with no account; the team handles it
in the inbox and the complaints KPIs on the scorecard follow. In English and in Swedish."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from frontend.pages.feedback_form import form_key
from kit.settings import common
from tests import support

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "Email": "Email",
        "Password": "Password",
        "Sign in": "Sign in",
        "Your message": "Your message",
        "Send": "Send",
        "Thank you!": "Thank you!",
        "New": "New",
        "Category": "Category",
        "Staff and service": "Staff and service",
        "Save": "Save",
        "Answer": "Answer",
        "Record the answer": "Record the answer",
        "Resolve": "Resolve",
        "Resolved": "Resolved",
        "Saved.": "Saved.",
        "Answered": "Answered",
        "Make an action": "Make an action",
        "Make the action": "Make the action",
        "Made from feedback": "Made from feedback",
    },
    "sv": {
        "Email": "E-post",
        "Password": "Lösenord",
        "Sign in": "Logga in",
        "Your message": "Ditt meddelande",
        "Send": "Skicka",
        "Thank you!": "Tack!",
        "New": "Ny",
        "Category": "Kategori",
        "Staff and service": "Personal och service",
        "Save": "Spara",
        "Answer": "Svar",
        "Record the answer": "Registrera svaret",
        "Resolve": "Lös",
        "Resolved": "Löst",
        "Saved.": "Sparat.",
        "Answered": "Besvarad",
        "No value": "Inget värde",
        "Make an action": "Skapa en åtgärd",
        "Make the action": "Skapa åtgärden",
        "Made from feedback": "Skapad från återkoppling",
    },
}
LOCALES = {"en": "en-GB", "sv": "sv-SE"}


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_complaint_from_the_public_form_is_handled_and_counted(chromium, live, account, lang):
    w = WORDS[lang]
    made = httpx.post(f"{live.base_url}/api/v1/feedback/kpis", headers=account.headers())
    assert made.status_code == 200, made.text
    link = f"/feedback/form/{form_key(common().resolved_signing_key(), account.workspace_id, None)}"

    # The customer: a browser of their own, no account, in their language.
    customer = chromium.new_context(base_url=live.base_url, locale=LOCALES[lang])
    page = customer.new_page()
    page.goto(link)
    page.get_by_label(w["Your message"]).fill("The staff at the counter were rude <b>twice</b>")
    page.get_by_role("button", name=w["Send"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(w["Thank you!"])
    customer.close()

    team = chromium.new_context(base_url=live.base_url, locale=LOCALES[lang], viewport={"width": 1280, "height": 860})
    team.set_default_timeout(15_000)
    page = team.new_page()
    page.goto("/feedback")
    page.get_by_label(w["Email"]).fill(account.email)
    page.get_by_label(w["Password"]).fill(account.password)
    page.get_by_role("button", name=w["Sign in"]).click()
    expect(page).to_have_url(re.compile(r"/feedback$"))
    row = page.locator("#feedback-table tbody tr").first
    expect(row).to_contain_text(w["New"])
    expect(row).to_contain_text("rude <b>twice</b>")  # shown as text, not markup
    page.screenshot(path=f"{support.screenshot_dir()}/feedback-inbox-{lang}.png", full_page=True)

    # The month has a complaint, none of them about staff and service yet.
    page.goto("/scorecard")
    staff_card = page.locator("article.sc-card", has=page.get_by_role("link", name="Complaints: Staff and service"))
    expect(staff_card.locator(".sc-value")).to_have_text("0")

    page.goto("/feedback")
    page.locator("#feedback-table tbody tr").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/feedback/\d+$"))
    page.get_by_label(w["Category"]).select_option(label=w["Staff and service"])
    page.get_by_role("button", name=w["Save"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(w["Saved."])
    expect(page.get_by_label(w["Category"])).to_have_value(re.compile(r"\d+"))
    page.get_by_label(w["Answer"], exact=True).fill("We are sorry, and we have talked with the team.")
    page.get_by_role("button", name=w["Record the answer"]).click()
    expect(page.locator("#item-state")).to_have_text(w["Answered"])
    page.get_by_role("button", name=w["Resolve"], exact=True).click()
    expect(page.locator("#item-state")).to_have_text(w["Resolved"])
    expect(page.locator("#item-history li")).to_have_count(4)  # created, category, answered, resolved
    page.screenshot(path=f"{support.screenshot_dir()}/feedback-item-{lang}.png", full_page=True)

    # The learning: the item becomes an action aimed at its category's complaints, and they point at each other.
    item_path = re.compile(re.escape(page.url.split("?")[0]) + "$")
    page.get_by_role("link", name=w["Make an action"]).click()
    expect(page).to_have_url(re.compile(r"/actions/new\?feedback=\d+$"))
    expect(page.locator("#action-title")).to_have_value("The staff at the counter were rude <b>twice</b>")
    expect(page.locator("select[name=kpi_id] option:checked")).to_have_text("Complaints: Staff and service")
    page.get_by_role("button", name=w["Make the action"]).click()
    expect(page).to_have_url(re.compile(r"/actions/\d+$"))
    expect(page.get_by_role("heading", name=w["Made from feedback"])).to_be_visible()
    page.get_by_role("link", name="The staff at the counter were rude <b>twice</b>").click()
    expect(page).to_have_url(item_path)
    expect(page.locator("#item-actions-heading + ul li")).to_contain_text("The staff at the counter")

    page.goto("/scorecard")
    staff_card = page.locator("article.sc-card", has=page.get_by_role("link", name="Complaints: Staff and service"))
    expect(staff_card.locator(".sc-value")).to_have_text("1")
    total = page.locator("article.sc-card", has=page.get_by_role("link", name="Complaints", exact=True))
    expect(total.locator(".sc-value")).to_have_text("1")
    page.goto("/feedback/report")
    expect(page.locator("#pareto rect")).to_have_count(1)
    page.screenshot(path=f"{support.screenshot_dir()}/feedback-report-{lang}.png", full_page=True)
    team.close()
