"""The measurement loop in a real browser, as the issue tells it: import a CSV with a bad line (its line number,
nothing stored), fix it and import again with a progress bar, read the scorecard, open a cycle, be stopped from
closing it until the red KPI has a root cause, close it, and see the goal's progress change on the Strategy page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from kit.dates import add_months
from tests.browser import goal_row, sign_in, upload

pytestmark = pytest.mark.browser
MONTH = date.today().replace(day=1)
PAGES = 20  # KPIs of page views, 1,000 days each: 20,000 lines, enough to watch the import run


def setup(live, account) -> int:
    """A monthly web shop, a conversion KPI aiming from 1 % to 2 % this month, and a goal measured by it."""
    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:
        surface = c.post(
            "/api/v1/surfaces",
            json={
                "name": "Web shop",
                "kind": "web_shop",
                "cadence": "monthly",
                "period_start": add_months(MONTH, -12).isoformat(),
            },
        ).json()
        kpi = c.post(
            "/api/v1/kpis",
            json={
                "name": "Conversion rate",
                "category": "result",
                "unit": "percent",
                "aggregation": "mean",
                "baseline_value": 1.0,
                "expected_frequency": "month",
                "surface_id": surface["id"],
            },
        ).json()
        last_day = add_months(MONTH, 1) - timedelta(days=1)
        assert (
            c.put(
                f"/api/v1/kpis/{kpi['id']}/targets",
                json=[{"period_start": MONTH.isoformat(), "period_end": last_day.isoformat(), "target": 2.0}],
            ).status_code
            == 200
        )
        for n in range(PAGES):
            assert (
                c.post(
                    "/api/v1/kpis",
                    json={"name": f"Page {n:02} views", "category": "result", "surface_id": surface["id"]},
                ).status_code
                == 201
            )
        goal = c.post("/api/v1/goals", json={"title": "Sell more online", "level": "strategic_goal"}).json()
        means = c.post(
            "/api/v1/goals", json={"title": "Make buying easy", "level": "strategic_means", "parent_id": goal["id"]}
        ).json()
        tactic = c.post(
            "/api/v1/goals",
            json={
                "title": "Faster checkout",
                "level": "tactical_means",
                "parent_id": means["id"],
                "surface_ids": [surface["id"]],
                "kpis": [{"kpi_id": kpi["id"]}],
            },
        )
        assert tactic.status_code == 201, tactic.text
    return kpi["id"]


def csv_file(bad_line: int | None = None) -> bytes:
    """Conversion rate for six months (1.2 % this month), then the page views; line 1 is the header."""
    lines = ["KPI;Period;Date;Value"]
    for back in range(5, -1, -1):
        lines.append(f"Conversion rate;month;{add_months(MONTH, -back).isoformat()};{1.2 if back == 0 else 1.5}")
    first = MONTH - timedelta(days=1000)
    for n in range(PAGES):
        lines += [f"Page {n:02} views;day;{(first + timedelta(days=d)).isoformat()};{100 + d}" for d in range(1000)]
    if bad_line:
        lines[bad_line - 1] = lines[bad_line - 1].rsplit(";", 1)[0] + ";n/a"
    return ("\n".join(lines) + "\n").encode()


def stored(live, account) -> int:
    resp = httpx.get(f"{live.base_url}/api/v1/observations", params={"limit": 1}, headers=account.headers())
    return resp.json()["count"]


def test_import_scorecard_cycle_and_goal_progress(page: Page, live, account):
    kpi_id = setup(live, account)
    sign_in(page, account, "/strategy")
    expect(goal_row(page, "Faster checkout")).to_contain_text("Not measured")

    upload(page, "conversion.csv", csv_file(bad_line=4))
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("alert").filter(has_text="lines are bad")).to_contain_text("1 of 20006 lines are bad")
    problem = page.locator("tr.import-problem")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").first).to_have_text("4")
    expect(problem).to_contain_text("“n/a” is not a number.")
    assert stored(live, account) == 0  # nothing stored while a line is bad

    upload(page, "conversion-fixed.csv", csv_file())
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="observations created")).to_contain_text(
        "20006 observations created, 0 replaced.", timeout=90_000
    )
    assert stored(live, account) == 20_006

    # This month, asked for by name: only 1 of 21 KPIs has a value in it yet, so the default would be last month.
    page.goto(f"/scorecard?period=month&date={MONTH.isoformat()}")
    card = page.locator("article.sc-card").filter(has_text="Conversion rate")
    expect(card).to_contain_text("Off track")  # 1.2 % of the way from 1 % to 2 %: 20 %
    expect(card.locator("svg.sparkline[role=img]")).to_have_count(1)

    page.goto("/cycles")
    page.get_by_label("Surface", exact=True).first.select_option(label="Web shop")
    page.get_by_role("button", name="Open cycle").click()
    expect(page).to_have_url(re.compile(r"/cycles/\d+$"))
    expect(page.locator(f"#item-{kpi_id}")).to_contain_text("Off track")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close cycle").click()
    expect(page.get_by_role("alert")).to_contain_text("The cycle cannot be closed yet")
    expect(page.get_by_role("alert").get_by_role("link", name="Conversion rate")).to_be_visible()

    page.locator(f"#rc-{kpi_id}").fill("The payment page reloads on mobile and empties the basket.")
    page.get_by_role("button", name="Save review of Conversion rate").click()
    expect(page.locator(f"#item-{kpi_id}")).to_contain_text("Saved.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close cycle").click()
    expect(page.get_by_role("status").filter(has_text="The cycle is closed")).to_be_visible()

    page.goto("/strategy")
    row = goal_row(page, "Faster checkout")
    expect(row).to_contain_text("Off track")
    expect(row).to_contain_text("20 %")
    expect(goal_row(page, "Sell more online")).to_contain_text("20 %")  # rolled up the tree
