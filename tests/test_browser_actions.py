"""The action list in a real browser, the issue's story: from a finding on a closed cycle make an action, see
it on the matrix as a quick win, plan it into a period from the matrix, mark it done, push the window's values
through the API, and see the verdict on the action page and the marker on the KPI page; in Norwegian too."""

from __future__ import annotations

import os
import re
from datetime import date

import httpx
import pytest
from playwright.sync_api import Page, expect

from kit.dates import add_months
from tests import support
from tests.test_browser_strategy import sign_in

pytestmark = pytest.mark.browser
TODAY = date.today()
DONE = add_months(TODAY.replace(day=1), -4).replace(day=12)
NOISE = [0.0, 1.5, -1.0, 0.5, -1.5, 1.0, -0.5, 0.8, -0.8, 1.2, -1.2, 0.3, -0.3, 0.9, -0.9, 0.2]


def months(kpi_id: int, first: date, values: list[float]) -> list[dict]:
    return [
        {"kpi_id": kpi_id, "period": "month", "period_start": add_months(first, n).isoformat(), "value": v}
        for n, v in enumerate(values)
    ]


def seed(live, account) -> dict:
    """A monthly web shop, Orders with a year of history, a closed cycle with one finding, and a period."""
    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:
        surface = c.post("/api/v1/surfaces", json={
            "name": "Web shop", "kind": "web_shop", "cadence": "monthly",
            "period_start": TODAY.replace(day=1).isoformat(),
        }).json()  # fmt: skip
        kpi = c.post("/api/v1/kpis", json={
            "name": "Orders", "category": "result", "surface_id": surface["id"], "expected_frequency": "month",
        }).json()  # fmt: skip
        history = months(kpi["id"], add_months(DONE.replace(day=1), -12), [100 + NOISE[n] for n in range(13)])
        assert c.post("/api/v1/observations/batch", json={"observations": history}).status_code == 200
        earlier = {"surface_id": surface["id"], "period_start": add_months(DONE.replace(day=1), -1).isoformat()}
        assert c.post("/api/v1/cycles", json=earlier).status_code == 201  # the last cycle before the action
        cycle = c.post("/api/v1/cycles", json={"surface_id": surface["id"]}).json()
        finding = c.post(f"/api/v1/cycles/{cycle['id']}/findings", json={
            "text": "Mobile checkout loses buyers", "kpi_id": kpi["id"], "change_kind": "technology",
        }).json()  # fmt: skip
        closed = c.post(f"/api/v1/cycles/{cycle['id']}/close")
        assert closed.status_code == 200, closed.text
        period = c.post("/api/v1/periods", json={
            "name": "Spring sprint", "starts_on": add_months(DONE, -1).isoformat(), "ends_on": TODAY.isoformat(),
            "capacity_hours": 40,
        }).json()  # fmt: skip
    return {"kpi": kpi["id"], "cycle": cycle["id"], "finding": finding["id"], "period": period["id"]}


def shot(page: Page, name: str) -> None:
    page.screenshot(path=os.path.join(support.screenshot_dir(), name), full_page=True)


def story(page: Page, live, account, t: dict[str, str], lang: str) -> None:
    ids = seed(live, account)
    sign_in(page, account, "/actions")  # a light page: the first sign-in of a run can be slow
    if lang != "en":
        page.context.add_cookies([{"name": "effekt_lang", "value": lang, "url": live.base_url}])
    page.goto(f"/cycles/{ids['cycle']}")
    page.get_by_role("link", name=re.compile(t["make"])).click()
    expect(page.get_by_label(t["title"], exact=True)).to_have_value("Mobile checkout loses buyers")
    expect(page.locator("#action-kpi_id")).to_have_value(str(ids["kpi"]))
    page.locator("#action-effort_hours").fill("6")
    page.locator("#action-gain").select_option("5")
    page.locator("#action-expected_size").fill("10")
    page.locator("#action-evaluation_periods").fill("3")
    page.get_by_role("button", name=t["submit"]).click()
    expect(page.locator("h1")).to_contain_text("Mobile checkout loses buyers")
    action_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    page.goto("/actions/matrix")
    point = page.locator(f'a.pt[href="/actions/{action_id}"]')
    expect(point).to_have_attribute("data-quadrant", "quick_win")
    point.focus()
    expect(point).to_be_focused()
    row = page.locator(f"#matrix-row-{action_id}")
    expect(row).to_contain_text(t["quick_wins"])
    if lang == "en":
        shot(page, "actions-matrix.png")
    row.locator("select").select_option(str(ids["period"]))
    row.get_by_role("button").click()
    expect(page.locator("#matrix .alert-ok")).to_be_visible()
    expect(page.locator(f"#matrix-row-{action_id} select")).to_have_value(str(ids["period"]))

    page.goto(f"/actions/{action_id}")
    expect(page.locator("#action-status")).to_have_text(t["planned"])
    page.locator("#done-on").fill(DONE.isoformat())
    page.get_by_role("button", name=t["done"], exact=True).click()
    expect(page.locator("#action-status")).to_have_text(t["done_status"])
    work = page.get_by_role("region", name=t["plan_and_status"])
    expect(work.get_by_role("button", name=t["reopen"], exact=True)).to_be_visible()  # done is reopened, not started
    expect(work.get_by_role("button")).to_have_count(1)
    expect(page.locator("#effect [data-verdict]")).to_have_attribute("data-verdict", "not_enough_data")

    window = months(ids["kpi"], add_months(DONE.replace(day=1), 1), [121.0, 124.0, 122.5])
    pushed = httpx.post(f"{live.base_url}/api/v1/observations/batch", headers=account.headers(),
                        json={"observations": window}, timeout=20)  # fmt: skip
    assert pushed.status_code == 200, pushed.text
    page.reload()
    expect(page.locator("#effect [data-verdict]")).to_have_attribute("data-verdict", "confirmed")
    expect(page.locator("#effect")).to_contain_text(t["confirmed"])
    expect(page.locator("#effect .effect-reason")).to_contain_text(t["expected_way"])  # in the page's language
    if lang == "en":
        shot(page, "actions-effect.png")
    page.get_by_role("button", name=t["record"]).click()
    expect(page.locator("#action-status")).to_have_text(t["evaluated"])

    page.goto(f"/kpis/{ids['kpi']}")
    expect(page.locator(f'#kpi-actions .action-marker[data-action="{action_id}"]')).to_have_count(1)
    page.goto("/scorecard")
    spark = page.locator(f'.sc-card:has(a[href="/kpis/{ids["kpi"]}"]) svg.sparkline')
    expect(spark.locator(f'.action-marker[data-action="{action_id}"]')).to_have_count(1)
    expect(spark).to_have_attribute("aria-label", re.compile(t["marked"] + ".*Mobile checkout loses buyers"))
    page.goto(f"/cycles/{ids['cycle']}")
    expect(page.locator(f"#finding-{ids['finding']}")).to_contain_text(t["action_label"])
    expect(page.locator("#cycle-actions-heading")).to_have_text(t["since_last"])
    expect(page.locator(f"#cycle-action-{action_id} [data-verdict]")).to_have_attribute("data-verdict", "confirmed")
    page.goto("/cycles/findings?without=1")
    expect(page.locator(f"#finding-{ids['finding']}")).to_have_count(0)


ENGLISH = {
    "make": "Make an action", "title": "Title", "submit": "Make the action", "quick_wins": "Quick wins",
    "planned": "Planned", "done": "Mark done", "done_status": "Done", "confirmed": "Confirmed",
    "record": "Record the evaluation", "evaluated": "Evaluated", "action_label": "Action:",
    "marked": "1 action done on it is marked", "since_last": "Actions done since the last cycle",
    "expected_way": "the expected way", "plan_and_status": "Plan and status", "reopen": "Reopen",
}  # fmt: skip
NORWEGIAN = {
    "make": "Lag et tiltak", "title": "Tittel", "submit": "Lag tiltaket", "quick_wins": "Raske gevinster",
    "planned": "Planlagt", "done": "Merk som utført", "done_status": "Ferdig", "confirmed": "Bekreftet",
    "record": "Registrer evalueringen", "evaluated": "Evaluert", "action_label": "Tiltak:",
    "marked": "1 tiltak utført på det er markert", "since_last": "Tiltak utført siden forrige syklus",
    "expected_way": "i forventet retning", "plan_and_status": "Plan og status", "reopen": "Åpne igjen",
}  # fmt: skip


def test_the_story_in_english(page, live, account):
    story(page, live, account, ENGLISH, "en")


def test_the_story_in_norwegian(page, live, account):
    story(page, live, account, NORWEGIAN, "nb")


def test_a_period_over_capacity_warns(page, live, account):
    ids = seed(live, account)
    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:
        for title, hours in (("Rebuild checkout", 30), ("New product photos", 20)):
            made = c.post("/api/v1/actions", json={"title": title, "effort_hours": hours, "gain": 4,
                                                   "period_id": ids["period"], "status": "planned",
                                                   "owner_id": account.user_id})  # fmt: skip
            assert made.status_code == 201, made.text
    sign_in(page, account, f"/periods/{ids['period']}")
    team = page.locator("#team-load")
    expect(team.locator("[data-over=true]")).to_contain_text("Over capacity by 10 hours")
    expect(team.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    me = page.locator(f"#person-{account.user_id}")
    expect(me).to_contain_text("no hours of their own set")

    # The person's own hours: a wrong value is named beside its field, nothing is saved; then 40 of 45 hours.
    field = page.locator(f"#capacity-{account.user_id}")
    field.fill("lots")
    page.get_by_role("button", name="Save the capacity").click()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#capacity-{account.user_id}-error")).to_be_visible()
    field.fill("45")
    page.get_by_role("button", name="Save the capacity").click()
    expect(me.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(me.locator("[data-over=true]")).to_contain_text("over their hours by 5 hours")
    expect(team.locator("[data-people-over]")).to_contain_text("1 person is planned beyond their own hours")
    expect(page.locator(f"#capacity-{account.user_id}")).to_have_value("45")
    shot(page, "actions-period-over-capacity.png")
    page.goto("/periods")
    expect(page.locator(f"#period-{ids['period']} [data-people-over]")).to_have_count(1)

    # The team's hours raised to 60 and hers to 50: nobody is over any more.
    page.goto(f"/periods/{ids['period']}")
    page.locator("#capacity-team").fill("60")
    page.locator(f"#capacity-{account.user_id}").fill("50")
    page.get_by_role("button", name="Save the capacity").click()
    expect(page.locator("#team-load")).to_contain_text("50 of 60 hours planned")
    expect(page.locator("[data-over=true]")).to_have_count(0)


def test_the_list_pages_track_record_and_findings(page, live, account):
    ids = seed(live, account)
    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:
        made = c.post("/api/v1/actions", json={"title": "Weekend rota", "effort_hours": 4, "gain": 4,
                                               "period_id": ids["period"], "status": "planned"})  # fmt: skip
        assert made.status_code == 201, made.text
    sign_in(page, account, "/actions")
    expect(page.locator("#action-list")).to_contain_text("Weekend rota")
    expect(page.locator("#action-list")).to_contain_text("Quick wins")
    page.get_by_role("link", name="Planning periods").first.click()
    expect(page.locator(f"#period-{ids['period']}")).to_contain_text("4 of 40 hours planned")
    page.goto("/actions/track-record")
    expect(page.locator("#track-record")).to_contain_text("Way of working")
    page.goto("/cycles/findings?without=1")
    expect(page.locator(f"#finding-{ids['finding']}")).to_contain_text("No action yet")
    page.goto("/actions/print")
    expect(page.locator("table")).to_contain_text("Weekend rota")
