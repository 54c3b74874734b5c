"""Effekt's own work as KPI data in a real browser: hours logged on a run's step show on the run page, and a KPI
takes its values from the blog workflow's finished runs, chosen on the KPI page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser import create_kpi, sign_in
from tests.test_workflows_api import start
from tests.workflow_support import add_members

pytestmark = pytest.mark.browser


def test_hours_on_a_step_and_a_kpi_fed_by_finished_runs(page, live, account):
    people = add_members(account, ["Anna", "Ben", "Cara", "Dan"])
    with live.client() as client:
        workflow, run = start(client, account, people, publish=date.today() + timedelta(days=30))
    sign_in(page, account, f"/runs/{run['id']}")
    row = page.locator("#step-idea")
    expect(row.locator("td.num")).to_have_text("–")
    row.locator("details.log-time summary").click()
    row.locator("input[name=hours]").fill("2.5")
    row.get_by_role("button", name="Log hours").click()
    expect(page.locator("#hours-idea")).to_have_text("2.5")

    kpi = create_kpi(live, account, name="Articles published", category="activity")
    page.goto(f"/kpis/{kpi['id']}")
    card = page.locator("#kpi-activity")
    card.get_by_label("Values from").select_option("runs_finished")
    card.get_by_label("Of the workflow").select_option(label=workflow["name"])
    card.get_by_role("button", name="Save the source").click()
    expect(page.locator("#kpi-activity [role=status]")).to_contain_text(f"Workflow runs finished: {workflow['name']}")
    card.get_by_label("Values from").select_option("tasks_done")
    card.get_by_label("Of the workflow").select_option("")
    card.get_by_role("button", name="Save the source").click()
    expect(page.locator("#kpi-activity [role=status]")).to_contain_text("Tasks done")
    card.get_by_label("Values from").select_option("tasks_on_time")
    card.get_by_label("Of the workflow").select_option(label=workflow["name"])
    card.get_by_role("button", name="Save the source").click()  # only runs and hours are of one workflow
    expect(page.locator("#kpi-activity .field-error")).to_be_visible()

    # Editing the KPI keeps its source: the form shows it as chosen, the page names it, saving leaves it on.
    page.goto(f"/kpis/{kpi['id']}")
    edit = page.locator("form", has=page.get_by_role("button", name="Save changes"))
    expect(edit.get_by_label("Values come from").locator("option:checked")).to_have_text("Effekt's own work")
    expect(page.locator("dt", has_text="Source").locator("xpath=following-sibling::dd[1]")).to_have_text(
        "Effekt's own work"
    )
    edit.get_by_label("Name").fill("Articles published on the blog")
    edit.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Articles published on the blog")
    with live.client() as client:
        assert client.get(f"/api/v1/kpis/{kpi['id']}", headers=account.headers()).json()["source"] == "activity"
        assert client.get(f"/api/v1/activity/kpis/{kpi['id']}", headers=account.headers()).status_code == 200
