"""Importing observations in a real browser: a bad line is reported and nothing stored; the fixed file imports
with a progress bar."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from tests import support
from tests.browser import sign_in, upload

pytestmark = pytest.mark.browser
KPI = {"name": "Visits", "unit": "number", "direction": "higher_is_better", "aggregation": "sum", "category": "result"}


def csv_of_days(days: int, bad_line: int | None = None) -> bytes:
    lines = ["KPI;Period;Date;Value"]
    for n in range(days):
        value = "lots" if n + 2 == bad_line else f"{n},5"
        lines.append(f"Visits;day;{(date(2025, 1, 1) + timedelta(days=n)).isoformat()};{value}")
    return ("\n".join(lines) + "\n").encode()


def observations(live, account) -> int:
    resp = httpx.get(f"{live.base_url}/api/v1/observations", params={"limit": 1}, headers=account.headers())
    assert resp.status_code == 200, resp.text
    return resp.json()["count"]


def test_a_bad_line_is_reported_then_the_fixed_file_imports(page, live, account):
    assert httpx.post(f"{live.base_url}/api/v1/kpis", json=KPI, headers=account.headers()).status_code == 201
    sign_in(page, account, "/imports")
    expect(page.get_by_text("No imports yet.")).to_be_visible()

    upload(page, "visits.csv", csv_of_days(30, bad_line=12))
    preview = page.locator("table.import-preview")
    expect(preview.locator("tbody tr").first).to_contain_text("2025-01-01")
    expect(page.get_by_label("Column “KPI” holds")).to_have_value("kpi_name")
    expect(page.get_by_label("Column “Date” holds")).to_have_value("period_start")
    expect(page.get_by_label("Store the good lines even if some lines are bad")).not_to_be_checked()
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("alert").filter(has_text="lines are bad")).to_contain_text("1 of 30 lines are bad")
    problem = page.locator("tr.import-problem")
    expect(problem).to_have_count(1)
    expect(problem).to_contain_text("12")
    expect(problem).to_contain_text("“lots” is not a number.")
    assert observations(live, account) == 0

    upload(page, "visits-fixed.csv", csv_of_days(20_000))  # large enough to be seen running
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="observations created")).to_contain_text(
        "20000 observations created, 0 replaced.", timeout=60_000
    )
    expect(page.locator("#import_status[hx-trigger]")).to_have_count(0)  # polling stopped
    assert observations(live, account) == 20_000

    page.get_by_role("link", name="All imports").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("visits-fixed.csv")
    expect(rows.first).to_contain_text("Done")
    expect(rows.nth(1)).to_contain_text("Stopped: some lines are bad")


def test_viewer_sees_imports_without_the_upload_form(page, live):
    viewer = support.make_account(role="viewer")
    sign_in(page, viewer, "/imports")
    expect(page.get_by_role("heading", name="Recent imports")).to_be_visible()


def test_an_unreadable_file_and_a_bad_mapping_are_named_beside_their_fields(page, live, account):
    sign_in(page, account, "/imports")
    page.get_by_label("CSV or XLSX file").set_input_files(
        {"name": "empty.csv", "mimeType": "text/csv", "buffer": b"   \n"}
    )
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#import-file-error")).to_contain_text("Choose a CSV or XLSX file with a header line")
    expect(page.get_by_label("CSV or XLSX file")).to_have_attribute("aria-invalid", "true")

    upload(page, "two-values.csv", b"Date;Value;Other value\n2025-01-01;1;2\n")
    page.get_by_label("Column “Other value” holds").select_option("value")
    page.get_by_role("button", name="Start the import").click()
    expect(page.locator("#col-2-error")).to_have_text("Each kind of column can be chosen once.")
    expect(page.locator("#import-period-error")).to_have_count(0)  # a fixed period (day) was suggested
    expect(page.locator("#import-kpi-error")).to_have_text("Choose the column with the KPI, or one KPI for every line.")

    page.get_by_label("Column “Value” holds").select_option("ignore")
    page.get_by_label("Column “Other value” holds").select_option("ignore")
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("alert").filter(has_text="one with the value")).to_be_visible()  # said for the form


def test_a_file_named_in_norwegian_is_understood_and_its_good_lines_stored_at_once(page, live, account):
    """issue 14: the value column and the KPI from the header "Besøk", the month from dates on the 1st; after a
    stop on a bad line the good lines can be stored without a reload; the reasons are in the page's language."""
    kpi = httpx.post(f"{live.base_url}/api/v1/kpis", json=KPI, headers=account.headers()).json()
    sign_in(page, account, "/imports")
    upload(page, "besok.csv", "Dato;Besøk\n2026-01-01;10\n2026-02-01;mange\n2026-03-01;12\n".encode())
    expect(page.get_by_label("Column “Dato” holds")).to_have_value("period_start")
    expect(page.get_by_label("Column “Besøk” holds")).to_have_value("value")
    expect(page.get_by_label("Period of every line")).to_have_value("month")
    expect(page.get_by_label("KPI of every line")).to_have_value(str(kpi["id"]))
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("alert").filter(has_text="lines are bad")).to_contain_text("1 of 3 lines are bad")
    expect(page.locator("tr.import-problem")).to_contain_text("“mange” is not a number.")
    page.get_by_role("button", name="Store 2 good lines").click()  # offered at once: no reload
    expect(page.get_by_role("status").filter(has_text="observations created")).to_contain_text(
        "2 observations created, 0 replaced. 1 bad line was left out."
    )
    assert observations(live, account) == 2

    page.get_by_label("Language").select_option("nb")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("status").filter(has_text="målinger")).to_contain_text(
        "2 målinger opprettet, 0 erstattet. 1 feil linje ble utelatt."
    )
    expect(page.locator("tr.import-problem")).to_contain_text("«mange» er ikke et tall.")
