"""Forms that help (issue 14): thresholds, dates, owners and formulas refused beside the field, saying what is wrong
and where; the add-KPI form takes a target."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import create_kpi, sign_in

pytestmark = pytest.mark.browser


def _submit(form):
    form.get_by_role("button", name="Add KPI").click()


def test_the_add_kpi_form_refuses_beside_the_field_and_takes_a_target(page, live, account):
    create_kpi(live, account, name="Cost", aggregation="sum", direction="lower_is_better")
    sign_in(page, account, "/kpis")
    page.locator("#kpi_form > summary").click()
    form = page.locator("#kpi_form form")
    form.get_by_label("Name").fill("Visits per krone")
    form.locator("summary", has_text="Baseline, thresholds and formula").click()

    # An amber threshold beyond the red one (relative: amber is the larger share).
    form.get_by_label("At risk below").fill("0.5")
    form.get_by_label("Off track below").fill("0.8")
    _submit(form)
    expect(form.locator("#new-kpi-amber-error")).to_contain_text("must not lie beyond the red one")
    expect(form.get_by_label("At risk below")).to_have_attribute("aria-invalid", "true")

    # A negative relative threshold.
    form.get_by_label("At risk below").fill("-0.2")
    form.get_by_label("Off track below").fill("")
    _submit(form)
    expect(form.locator("#new-kpi-amber-error")).to_contain_text("cannot be negative")

    # A baseline date outside the years Effekt plans in.
    form.get_by_label("At risk below").fill("")
    form.get_by_label("Baseline date").fill("1850-01-01")
    _submit(form)
    expect(form.locator("#new-kpi-baseline-date-error")).to_have_text(
        "Enter a date between 1 January 1900 and 31 December 2200."
    )
    form.get_by_label("Baseline date").fill("")

    # An owner who is not a member (a stale form, or a tampered one).
    form.get_by_label("Owner").evaluate("s => { s.add(new Option('Gone', '987654')); s.value = '987654'; }")
    _submit(form)
    expect(form.locator("#new-kpi-owner-error")).to_have_text("Choose a member of this workspace, or no owner.")
    form.get_by_label("Owner").select_option("")
    form.locator("details.more").evaluate("d => { d.open = true; }")

    # Formulas: an unknown name and an unclosed bracket are told apart, each with its position.
    form.get_by_label("Formula").fill("[Costs] / 2")
    _submit(form)
    expect(form.locator("#new-kpi-formula-error")).to_contain_text("No active KPI is called [Costs] (at character 1)")
    form.get_by_label("Formula").fill("100 / [Cost")
    _submit(form)
    expect(form.locator("#new-kpi-formula-error")).to_contain_text("The bracket opened at character 7 is not closed")

    # A target that is no number is refused before anything is made; a good one is kept for this year.
    form.get_by_label("Formula").fill("")
    form.get_by_label("Target per period").fill("lots")
    _submit(form)
    expect(form.locator("#new-kpi-target-error")).to_contain_text("Enter the target as a number")
    listed = httpx.get(f"{live.base_url}/api/v1/kpis", headers=account.headers(), params={"q": "krone"}).json()
    assert listed["count"] == 0
    form.get_by_label("Target per period").fill("1 200")
    _submit(form)
    expect(page.locator(".alert-ok")).to_contain_text("has been added")
    kpi = httpx.get(f"{live.base_url}/api/v1/kpis", headers=account.headers(), params={"q": "krone"}).json()["data"][0]
    targets = httpx.get(f"{live.base_url}/api/v1/kpis/{kpi['id']}/targets", headers=account.headers()).json()
    year = date.today().year
    assert [(t["period_start"], t["period_end"], t["target"]) for t in targets] == [
        (f"{year}-01-01", f"{year}-12-31", 1200.0)
    ]


def test_a_goal_dated_before_1900_is_refused_beside_the_field(page, live, account):
    sign_in(page, account, "/strategy")
    page.get_by_role("link", name="Add your first strategic goal").click()
    form = page.locator("#goal-form form")
    form.get_by_label("Title").fill("Grow online")
    form.locator("summary", has_text="Description, period").click()
    form.get_by_label("Start").fill("1899-12-31")
    form.get_by_role("button", name="Add goal").click()
    expect(form.locator(".field-error")).to_contain_text("Enter a date between 1 January 1900 and 31 December 2200.")
