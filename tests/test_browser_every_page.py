"""Every page, as a phone (360 px) sees it: no horizontal scroll; and, through axe-core, no serious or critical
accessibility violation."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests import node, support
from tests.browser import main_nav_link, sign_in
from tests.workflow_support import blog_run_alone

pytestmark = pytest.mark.browser


def seed(live, account) -> list[str]:
    """One of everything the pages show; the paths of every page."""
    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:

        def post(path: str, **kw) -> dict:
            answer = c.post(path, **kw)
            assert answer.status_code in (200, 201, 202), answer.text
            return answer.json()

        surface = post(
            "/api/v1/surfaces",
            json={"name": "Web shop", "kind": "web_shop", "cadence": "monthly", "period_start": "2026-01-01"},
        )
        goal = post("/api/v1/goals", json={"title": "Grow the web shop", "level": "strategic_goal"})
        kpi = post(
            "/api/v1/kpis",
            json={
                "name": "Visits",
                "category": "result",
                "unit": "number",
                "aggregation": "sum",
                "surface_id": surface["id"],
            },
        )
        cycle = post("/api/v1/cycles", json={"surface_id": surface["id"], "period": "current"})
        upload = post("/api/v1/imports", files={"file": ("visits.csv", b"date,visits\n2026-11-01,10\n", "text/csv")})
        period = post("/api/v1/periods", json={"name": "Q1", "starts_on": "2026-01-01", "ends_on": "2026-03-31"})
        put = c.put(f"/api/v1/periods/{period['id']}/capacity", json={
            "capacity_hours": 10, "people": [{"owner_id": account.user_id, "capacity_hours": 4}]})  # fmt: skip
        assert put.status_code == 200, put.text
        action = post("/api/v1/actions", json={
            "title": "Faster checkout", "effort_hours": 12, "gain": 5, "kpi_id": kpi["id"], "owner_id": account.user_id,
            "period_id": period["id"], "status": "planned", "expected_size": 5,
        })  # fmt: skip
        hook = post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "description": "Our CRM"})
    wf, run = blog_run_alone(live.base_url, account, (date.today() + timedelta(days=30)).isoformat())
    ids = {"s": surface["id"], "g": goal["id"], "k": kpi["id"], "c": cycle["id"], "i": upload["id"]}
    ids |= {"a": action["id"], "p": period["id"], "w": hook["id"]}
    return [
        "/",
        "/strategy",
        "/strategy/map",
        "/strategy/templates",
        f"/goals/{ids['g']}",
        "/surfaces",
        f"/surfaces/{ids['s']}",
        "/scorecard",
        "/kpis",
        f"/kpis/{ids['k']}",
        "/cycles",
        f"/cycles/{ids['c']}",
        f"/cycles/{ids['c']}/print",
        "/cycles/compare",
        "/cycles/findings",
        "/actions",
        "/actions/new",
        f"/actions/{ids['a']}",
        "/actions/matrix",
        "/actions/track-record",
        "/actions/print",
        "/periods",
        f"/periods/{ids['p']}",
        "/imports",
        f"/imports/{ids['i']}",
        "/settings/workspace",
        "/settings/members",
        "/settings/tokens",
        "/settings/notifications",
        "/inbox",
        "/feedback",
        "/feedback/report",
        "/settings/webhooks",
        f"/settings/webhooks/{ids['w']}",
        "/settings/calendar",
        "/settings/reminders",
        "/workspaces/new",
        "/workflows",
        "/workflows/copy",
        f"/workflows/{wf['id']}",
        f"/workflows/{wf['id']}/start",
        f"/workflows/{wf['id']}/retrospective",
        "/runs",
        f"/runs/{run['id']}",
        "/my-work",
        "/kpis/999999",
    ]


def test_no_page_scrolls_sideways_at_360px(page: Page, live, account):
    paths = seed(live, account)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, account, "/")
    wide = {}
    for path in paths:
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide[path] = (width, page.evaluate(CULPRITS))
    page.context.clear_cookies()
    page.goto("/signin")
    if page.evaluate("document.documentElement.scrollWidth") > 360:
        wide["/signin"] = page.evaluate("document.documentElement.scrollWidth")
    if wide:
        page.goto(next(iter(wide)))
        page.screenshot(path=f"{support.screenshot_dir()}/wide-360.png", full_page=True)
    assert not wide, f"wider than 360 px: {wide}"


def test_the_menu_folds_on_a_phone(page: Page, live, account):
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, account, "/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()  # folded by effekt.js once the page has settled
    page.get_by_text("Menu", exact=True).click()
    main_nav_link(page, "KPIs").click()
    page.wait_for_url("**/kpis")


CULPRITS = """[...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 361 && e.parentElement.getBoundingClientRect().right <= 361)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().width))"""

AXE_IMPACTS = ("serious", "critical")


def test_axe_finds_nothing_serious_on_any_page(page: Page, live, account):
    modules = node.node_modules()
    if isinstance(modules, str):
        pytest.skip(modules)
    axe = (modules / "axe-core" / "axe.min.js").read_text()
    paths = seed(live, account)
    sign_in(page, account, "/")
    found = {}
    for path in [*paths, "/signin"]:
        if path == "/signin":
            page.context.clear_cookies()
        page.goto(path)
        page.evaluate(axe)  # not a <script> tag: the pages' Content-Security-Policy would refuse it
        violations = page.evaluate("async () => (await axe.run(document)).violations")
        bad = [
            f"{v['id']} ({len(v['nodes'])}): {v['nodes'][0]['target']}"
            for v in violations
            if v["impact"] in AXE_IMPACTS
        ]
        if bad:
            found[path] = bad
    assert not found, "\n".join(f"{p}: {v}" for p, v in found.items())
