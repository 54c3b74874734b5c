"""The Scorecard page in a real browser: three columns, status in words, change, sparklines, periods, export."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests import support
from tests.browser import create_kpi, sign_in

pytestmark = pytest.mark.browser


def months_back(n: int) -> list[date]:
    """The first days of this month and the n - 1 before it, oldest first."""
    out = [date.today().replace(day=1)]
    while len(out) < n:
        out.append((out[-1] - timedelta(days=1)).replace(day=1))
    return out[::-1]


def push(live, account, kpi: dict, values: list[float | None]) -> None:
    """One value a month, ending with this month (None: no value that month)."""
    items = [
        {"kpi_id": kpi["id"], "period": "month", "period_start": start.isoformat(), "value": value}
        for start, value in zip(months_back(len(values)), values, strict=False)
        if value is not None
    ]
    answer = httpx.post(
        f"{live.base_url}/api/v1/observations/batch", headers=account.headers(), json={"observations": items}
    )
    assert answer.status_code == 200, answer.text


def target(live, account, kpi: dict, value: float) -> None:
    start = date.today().replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    answer = httpx.put(
        f"{live.base_url}/api/v1/kpis/{kpi['id']}/targets",
        headers=account.headers(),
        json=[{"period_start": start.isoformat(), "period_end": end.isoformat(), "target": value}],
    )
    assert answer.status_code == 200, answer.text


def test_the_scorecard_shows_inputs_activities_and_results(page, live, account):
    # Monthly levels ("last"): this month's sum would be judged on pace, by the day of the month.
    cost = create_kpi(
        live,
        account,
        name="Cost",
        category="input",
        unit="currency",
        currency_code="NOK",
        direction="lower_is_better",
        expected_frequency="month",
        aggregation="last",
    )
    articles = create_kpi(
        live, account, name="Articles published", category="activity", expected_frequency="month", aggregation="last"
    )
    conversions = create_kpi(
        live, account, name="Conversions", category="result", expected_frequency="month", aggregation="last"
    )
    create_kpi(
        live,
        account,
        name="Cost per conversion",
        category="result",
        direction="lower_is_better",
        formula="[Cost] / [Conversions]",
    )
    create_kpi(
        live,
        account,
        name="Bounce rate",
        category="result",
        unit="percent",
        expected_frequency="month",
        direction="lower_is_better",
    )
    push(live, account, cost, [5000, None, 4200, 4000])
    push(live, account, articles, [4, 6, 5, 2])
    push(live, account, conversions, [30, 35, 40, 50])
    target(live, account, cost, 4500)
    target(live, account, articles, 8)
    target(live, account, conversions, 40)

    sign_in(page, account, "/scorecard")
    this_month = date.today().strftime("%B %Y")
    expect(page.get_by_role("heading", level=1)).to_contain_text(this_month)
    columns = page.locator(".scorecard-col h2")
    expect(columns).to_have_text([re.compile("^Inputs"), re.compile("^Activities"), re.compile("^Results")])

    inputs = page.locator(".scorecard-col-input")
    cost_card = inputs.locator("article", has=page.get_by_role("link", name="Cost", exact=True))
    expect(cost_card).to_contain_text("NOK")
    expect(cost_card).to_contain_text("On track")
    expect(cost_card).to_contain_text("Better than the period before")  # 4,200 → 4,000, lower is better
    expect(cost_card.locator("svg[role=img]")).to_have_attribute("aria-label", re.compile("3 with values"))

    activity = page.locator(".scorecard-col-activity article", has=page.get_by_role("link", name="Articles published"))
    expect(activity).to_contain_text("Off track")
    expect(activity).to_contain_text("Worse than the period before")
    expect(activity.locator(".sc-change")).to_contain_text("−3")

    # The derived KPI stands right after the last of its inputs, with its formula and links to them.
    results = page.locator(".scorecard-col-result article h3")
    expect(results).to_have_text(["Bounce rate", "Conversions", "Cost per conversion"])
    derived = page.locator("article.sc-derived")
    expect(derived).to_contain_text("Cost")
    expect(derived.get_by_role("link", name="Conversions")).to_be_visible()
    expect(derived).to_contain_text("80")  # 4,000 / 50
    bounce = page.locator(".scorecard-col-result article", has=page.get_by_role("link", name="Bounce rate"))
    expect(bounce).to_contain_text("Not measured")
    expect(bounce).to_contain_text("No data yet")  # expected monthly, never had a value
    page.screenshot(path=f"{support.screenshot_dir()}/scorecard-full.png", full_page=True)
    page.emulate_media(media="print")  # printed: the cards without the controls
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.get_by_role("link", name="Export CSV")).to_be_hidden()
    expect(page.locator("article.sc-card")).to_have_count(5)
    page.screenshot(path=f"{support.screenshot_dir()}/scorecard-print.png", full_page=True)
    page.emulate_media(media="screen")

    # The CSV of what is on screen downloads with the browser's session.
    href = page.get_by_role("link", name="Export CSV").get_attribute("href")
    assert href.startswith("/api/v1/scorecard/export.csv?period=month")
    csv = page.request.get(href)
    assert csv.status == 200 and "Cost per conversion" in csv.text()

    page.get_by_role("link", name="Previous period").click()
    previous = months_back(2)[0]
    expect(page.get_by_role("heading", level=1)).to_contain_text(previous.strftime("%B %Y"))
    expect(page).to_have_url(re.compile(r"date=" + (previous.replace(day=1) - timedelta(days=0)).strftime("%Y-%m")))
    page.get_by_label("Period", exact=True).select_option("year")
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(previous.year))


def test_an_empty_workspace_is_pointed_to_the_kpis_and_the_library(page, live, account):
    sign_in(page, account, "/scorecard")
    expect(page.get_by_role("heading", name="No KPIs to show yet")).to_be_visible()
    page.get_by_role("link", name="Start from the library").click()
    expect(page).to_have_url(re.compile(r"/kpis#library$"))
    expect(page.get_by_role("heading", name="Start from the library")).to_be_visible()

    # A surface without KPIs of its own (and none workspace-wide) says so; the other shows its KPI.
    shop, blog = (
        httpx.post(
            f"{live.base_url}/api/v1/surfaces",
            headers=account.headers(),
            json={"name": name, "kind": "website", "period_start": date.today().replace(day=1).isoformat()},
        ).json()
        for name in ("Web shop", "Blog")
    )
    create_kpi(live, account, name="Orders", surface_id=shop["id"])
    page.goto("/scorecard")
    page.get_by_label("Surface").select_option(label="Blog")
    expect(page.get_by_role("heading", name="No KPIs for this surface")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"surface={blog['id']}"))
    page.get_by_label("Surface").select_option(label="Web shop")
    expect(page.locator(".scorecard-col-result article h3")).to_have_text(["Orders"])
