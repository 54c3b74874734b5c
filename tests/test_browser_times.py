"""Times show in the workspace's time zone (cycle times in the print view), not in UTC."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from frontend.templating import _moment
from gateway import workspaces
from tests import support
from tests.browser import sign_in

pytestmark = pytest.mark.browser
ZONE = "Pacific/Kiritimati"  # UTC+14: a time in UTC would show another day


def test_the_print_view_shows_times_in_the_workspace_zone(page: Page, live, account):
    support.gateway_db(
        lambda s: workspaces.update_workspace(
            session=s, workspace_id=account.workspace_id, name="Zone Co", timezone=ZONE
        )
    )
    with httpx.Client(base_url=live.base_url, headers=account.headers(), timeout=20) as c:
        surface = c.post(
            "/api/v1/surfaces",
            json={"name": "Web shop", "kind": "web_shop", "cadence": "monthly", "period_start": "2026-01-01"},
        ).json()
        cycle = c.post("/api/v1/cycles", json={"surface_id": surface["id"]}).json()
    sign_in(page, account, f"/cycles/{cycle['id']}/print")
    expect(page.locator("main")).to_contain_text(_moment(cycle["snapshot_at"], "en", ZONE))
