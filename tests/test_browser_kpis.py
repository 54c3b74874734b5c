"""The KPI pages in a real browser: add a KPI from the library, targets, manual entry, the viewer, staleness."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests import support
from tests.browser import create_kpi, sign_in

pytestmark = pytest.mark.browser


def add_viewer(account) -> str:
    """A second member of the account's workspace with the viewer role; their email (password: support's)."""
    from gateway import accounts, workspaces
    from gateway.models import UserCreate
    from kit.roles import Role

    email = f"viewer-{account.slug}@example.com"

    def run(session):
        accounts.create_user(
            session=session, data=UserCreate(email=email, name="Vera Viewer", password=support.PASSWORD)
        )
        workspaces.add_member(
            session=session, workspace_id=account.workspace_id, actor_role=Role.owner, email=email, role=Role.viewer
        )

    support.gateway_db(run)
    return email


def test_add_a_kpi_from_the_library_set_a_target_enter_values_and_see_the_scorecard(page, live, account):
    month = date.today().replace(day=1)
    month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    sign_in(page, account, "/kpis")
    expect(page.get_by_role("heading", name="No KPIs yet")).to_be_visible()

    # The library fills in the form; a blank name is refused beside the field, and the rest stays as typed.
    page.get_by_role("link", name=re.compile("^Visits")).click()
    form = page.locator("#kpi_form form")
    expect(form.get_by_label("Name")).to_have_value("Visits")
    form.get_by_label("Name").fill("")
    form.get_by_role("button", name="Add KPI").click()
    expect(form.locator("#new-kpi-name-error")).to_contain_text("Enter a name")
    expect(form.get_by_label("Category")).to_have_value("result")
    form.get_by_label("Name").fill("Visits")
    form.get_by_label("Expected data").select_option("month")
    form.get_by_role("button", name="Add KPI").click()
    expect(page.locator(".alert-ok")).to_contain_text("“Visits” has been added.")
    row = page.locator("#kpi_list tr", has=page.get_by_role("link", name="Visits", exact=True))
    expect(row).to_contain_text("Not measured")
    page.get_by_role("link", name="Open it to set targets and enter values").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Visits")

    # Targets: two overlapping rows are refused beside the row; one row then saves.
    targets = page.locator("#targets")
    targets.get_by_role("button", name="Add a target").click()
    targets.get_by_label("Target 1: from").fill(month.isoformat())
    targets.get_by_label("Target 1: to").fill(month_end.isoformat())
    targets.get_by_label("Target 1: value").fill("1000")
    targets.get_by_role("button", name="Add a target").click()
    targets.get_by_label("Target 2: from").fill(month.isoformat())
    targets.get_by_label("Target 2: value").fill("900")
    targets.get_by_role("button", name="Save targets").click()
    expect(targets.locator(".field-error")).to_contain_text("overlaps")
    targets.get_by_role("button", name="Remove target 2").click()
    expect(targets.get_by_label("Target 2: from")).to_have_count(0)
    targets.get_by_role("button", name="Save targets").click()
    expect(page.locator(".alert-ok")).to_have_text("The targets have been saved.")

    # Manual entry: the same month again replaces the value, and says so.
    entry = page.locator("#entry")
    entry.get_by_label("Value").fill("abc")
    entry.get_by_role("button", name="Save value").click()
    expect(entry.locator("#entry-value-error")).to_contain_text("Enter the value as a number")
    entry.get_by_label("Value").fill("1200")
    entry.get_by_role("button", name="Save value").click()
    expect(page.locator(".alert-ok")).to_have_text("The value has been saved.")
    entry.get_by_label("Value").fill("1 100")
    entry.get_by_label("Note").fill("Campaign week")
    entry.get_by_role("button", name="Save value").click()
    expect(page.locator(".alert-ok")).to_contain_text("It replaced the earlier value for that period.")
    observations = page.locator("#observations")
    expect(observations).to_contain_text("1 recorded value")
    expect(observations).to_contain_text("1,100")
    expect(observations).to_contain_text("Campaign week")
    expect(page.locator(".kpi-status")).to_contain_text("On track")
    page.screenshot(path=f"{support.screenshot_dir()}/kpi-page.png", full_page=True)

    page.get_by_role("link", name="Scorecard").first.click()
    expect(page).to_have_url(re.compile(r"/scorecard$"))
    card = page.locator("article.sc-card", has=page.get_by_role("link", name="Visits"))
    expect(card).to_contain_text("On track")
    expect(card).to_contain_text("1,100")
    expect(card).to_contain_text("100 %")
    spark = card.locator("svg.sparkline[role=img]")
    expect(spark).to_have_attribute("aria-label", re.compile(r"Last 12 periods, 1 with values"))
    expect(page.get_by_role("link", name="Measurement cycles")).to_be_visible()
    page.screenshot(path=f"{support.screenshot_dir()}/scorecard.png", full_page=True)

    # Back on the KPI page: rename it, then delete the value (after a confirmation).
    card.get_by_role("link", name="Visits").click()
    edit = page.locator("form", has=page.get_by_role("button", name="Save changes"))
    edit.get_by_label("Name").fill("Web visits")
    edit.get_by_role("button", name="Save changes").click()
    expect(page.locator(".alert-ok")).to_have_text("Your changes have been saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Web visits")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#observations").get_by_role("button", name=re.compile("^Delete")).click()
    expect(page.locator(".alert-ok")).to_have_text("The value has been deleted.")
    expect(page.locator("#observations")).to_contain_text("0 recorded values")


def test_a_derived_kpi_shows_its_formula_and_inputs_and_takes_no_values(page, live, account):
    cost = create_kpi(live, account, name="Cost", category="input", unit="currency", currency_code="NOK")
    create_kpi(live, account, name="Conversions")
    derived = create_kpi(
        live, account, name="Cost per conversion", formula="[Cost] / [Conversions]", direction="lower_is_better"
    )
    sign_in(page, account, f"/kpis/{derived['id']}")
    expect(page.get_by_text("Derived", exact=True).first).to_be_visible()
    figures = page.locator(".formula")
    expect(figures).to_contain_text("[Cost] / [Conversions]")
    expect(figures.get_by_role("link", name="Conversions")).to_be_visible()
    expect(page.get_by_role("heading", name="Enter a value")).to_have_count(0)
    expect(page.locator("#observations")).to_contain_text("computed from its inputs")

    # A formula naming a KPI that does not exist is refused beside the field; nothing changes.
    edit = page.locator("form", has=page.get_by_role("button", name="Save changes"))
    edit.get_by_label("Formula").fill("[Cost] / [Nothing]")
    edit.get_by_role("button", name="Save changes").click()
    expect(edit.locator("#edit-kpi-formula-error")).to_contain_text(
        "No active KPI is called [Nothing] (at character 10)"
    )
    expect(edit.get_by_label("Formula")).to_have_value("[Cost] / [Nothing]")
    page.goto(f"/kpis/{derived['id']}")
    expect(page.locator(".formula")).to_contain_text("[Cost] / [Conversions]")
    page.get_by_role("link", name="Cost", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/kpis/{cost['id']}$"))
    expect(page.get_by_role("heading", name="Enter a value")).to_be_visible()

    # An input of a formula cannot be archived; the list says why.
    page.goto("/kpis")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archive Cost", exact=True).click()
    expect(page.locator(".alert-error")).to_contain_text("the formula of another KPI uses it")
    expect(page.get_by_role("link", name="Cost", exact=True)).to_be_visible()


def test_archive_and_restore_from_the_list(page, live, account):
    create_kpi(live, account, name="Complaints", category="result", direction="lower_is_better")
    sign_in(page, account, "/kpis")
    page.screenshot(path=f"{support.screenshot_dir()}/kpi-list.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archive Complaints").click()
    expect(page.locator(".alert-ok")).to_contain_text("“Complaints” has been archived.")
    page.get_by_label("Show").select_option("archived")
    expect(page.get_by_role("button", name="Restore Complaints")).to_be_visible()
    page.get_by_role("button", name="Restore Complaints").click()
    expect(page.locator(".alert-ok")).to_contain_text("“Complaints” has been restored.")


def test_a_viewer_reads_but_gets_no_forms(page, live, account):
    kpi = create_kpi(live, account, name="Revenue", unit="currency", currency_code="NOK")
    email = add_viewer(account)
    sign_in(page, account, f"/kpis/{kpi['id']}", email=email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Revenue")
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()
    expect(page.locator("#main form")).to_have_count(0)
    expect(page.get_by_role("button", name="Save value")).to_have_count(0)
    expect(page.get_by_role("heading", name="Edit KPI")).to_have_count(0)
    page.goto("/kpis")
    expect(page.get_by_role("link", name="Revenue")).to_be_visible()
    expect(page.get_by_text("Add a KPI")).to_have_count(0)
    expect(page.locator("#main form[method=post]")).to_have_count(0)
    expect(page.get_by_role("button", name="Archive Revenue")).to_have_count(0)


def test_a_stale_kpi_is_listed_on_its_owners_home_page(page, live, account):
    stale = create_kpi(
        live,
        account,
        name="Articles published",
        category="activity",
        owner_id=account.user_id,
        expected_frequency="week",
    )
    long_ago = date.today() - timedelta(days=60)
    pushed = httpx.post(
        f"{live.base_url}/api/v1/observations",
        headers=account.headers(),
        json={"kpi_id": stale["id"], "period": "day", "period_start": long_ago.isoformat(), "value": 3},
    )
    assert pushed.status_code == 201, pushed.text
    create_kpi(live, account, name="Nobody's", owner_id=None, expected_frequency="day")
    sign_in(page, account, "/")
    section = page.locator("section", has=page.get_by_role("heading", name="KPIs you own that need data"))
    link = section.get_by_role("link", name="Articles published")
    expect(link).to_be_visible()
    expect(section).to_contain_text("No data since")
    expect(section.get_by_role("link", name="Nobody's")).to_have_count(0)
    page.screenshot(path=f"{support.screenshot_dir()}/home-stale.png", full_page=True)
    link.click()
    expect(page.locator(".stale")).to_contain_text("Needs data")


def test_another_workspaces_kpi_is_not_found(page, live, account, other_account):
    foreign = create_kpi(live, other_account, name="Secret")
    sign_in(page, account, "/kpis")
    response = page.goto(f"/kpis/{foreign['id']}")
    assert response.status == 404
    expect(
        page.get_by_role("heading", name="This page does not exist, or it is not in your workspace.")
    ).to_be_visible()
    expect(page.get_by_text("Secret")).to_have_count(0)


@pytest.mark.parametrize(
    "lang, words",
    [
        ("nb", ("Legg til en KPI", "Mål", "Målstyringskort", "KPI-er du eier som trenger data")),
        ("fi", ("Uusi mittari", "Tavoitteet", "Tuloskortti", "Omistamasi mittarit, jotka tarvitsevat tietoja")),
    ],
)
def test_the_measurement_pages_in_another_language(page, live, account, lang, words):
    kpi = create_kpi(
        live,
        account,
        name="Inntekter",
        unit="currency",
        currency_code="NOK",
        owner_id=account.user_id,
        expected_frequency="month",
    )
    httpx.post(
        f"{live.base_url}/api/v1/observations",
        headers=account.headers(),
        json={
            "kpi_id": kpi["id"],
            "period": "month",
            "period_start": date.today().replace(day=1).isoformat(),
            "value": 1234.5,
            "source": "manual",
        },
    )
    sign_in(page, account, "/kpis")
    page.context.add_cookies([{"name": "effekt_lang", "value": lang, "url": live.base_url}])
    page.goto("/kpis")
    expect(page.get_by_text(words[0])).to_be_visible()
    page.goto(f"/kpis/{kpi['id']}")
    expect(page.get_by_role("heading", name=words[1], exact=True)).to_be_visible()
    expect(page.locator(".kpi-figure-value").first).to_contain_text("1\u00a0234,5")
    page.goto("/scorecard")
    expect(page.get_by_role("heading", level=1)).to_contain_text(words[2])
    expect(page.locator("svg.sparkline").first).to_have_attribute("aria-label", re.compile("1\u00a0234,5"))
    page.goto("/")
    expect(page.get_by_role("heading", name=words[3])).to_be_visible()


def test_without_javascript_the_forms_still_work(chromium, live, account):
    kpi = create_kpi(live, account, name="Campaigns run", category="activity")
    context = chromium.new_context(base_url=live.base_url, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, account, f"/kpis/{kpi['id']}")
        page.get_by_role("button", name="Add a target").click()
        page.get_by_label("Target 1: from").fill(date.today().replace(day=1).isoformat())
        page.get_by_label("Target 1: value").fill("4")
        page.get_by_role("button", name="Save targets").click()
        expect(page).to_have_url(re.compile(rf"/kpis/{kpi['id']}\?notice=targets$"))
        page.locator("#entry").get_by_label("Value").fill("5")
        page.get_by_role("button", name="Save value").click()
        expect(page.locator(".alert-ok")).to_have_text("The value has been saved.")
        expect(page.locator("#observations")).to_contain_text("Entered by hand")
        page.goto("/kpis?preset=campaigns_run")
        expect(page.locator(".alert-ok")).to_contain_text("Filled in from the library")
        expect(page.locator("#kpi_form").get_by_label("Name")).to_have_value("Campaigns run")
    finally:
        context.close()
