"""GA4, Search Console, Mailchimp, Jira, Zendesk, HubSpot, JSON and CSV against a local vendor in their shapes.

Each kind: the happy path (values on the right KPI and period), paging, a 401 in words, a 429 with Retry-After
and a 5xx before success, and a malformed answer that stores nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from services.metrics.connectors.kinds import KINDS
from services.metrics.tests.connectors import recorded_more as rec
from services.metrics.tests.connectors.helpers import add_feed, at, make_connector, make_kpi, pull, values
from services.metrics.tests.connectors.recorded import daily
from services.metrics.tests.connectors.vendor import Answer

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
NOW = at("2026-03-10T08:00:00")


@dataclass
class Case:
    kind: str
    settings: dict[str, str]
    credentials: dict[str, str]
    feed: dict[str, Any]
    route: tuple[str, str]
    answer: Any
    expected: list[tuple[str, str, float]]  # (period, start, value) as stored
    page: tuple[str, int, int] | None = None  # module, page size for the test, requests then expected
    malformed: Answer = field(default_factory=lambda: Answer(200, {"unexpected": True}))
    extra: list[tuple[str, str, Any]] = field(default_factory=list)


def d(text: str) -> date:
    return date.fromisoformat(text)


CASES = [
    Case(
        "ga4",
        {"property_id": "123456"},
        {},
        {"metric": "sessions", "period": "week", "backfill_days": 14},
        ("POST", "/v1beta/properties/123456:runReport"),
        rec.ga4_report,
        [
            (
                "week",
                "2026-02-23",
                float(sum(daily(d("2026-02-23").replace(day=n)) for n in range(23, 29)) + daily(d("2026-03-01"))),
            ),
            ("week", "2026-03-02", float(sum(daily(d(f"2026-03-0{n}")) for n in range(2, 9)))),
            ("week", "2026-03-09", float(daily(d("2026-03-09")) + daily(d("2026-03-10")))),
        ],
        page=("ga4", 2, 2),
        malformed=Answer(200, {"rows": [{"dimensionValues": [], "metricValues": []}], "rowCount": 1}),
    ),
    Case(
        "search_console",
        {"site_url": "sc-domain:example.com"},
        {},
        {"metric": "ctr", "backfill_days": 4},
        ("POST", "/webmasters/v3/sites/sc-domain%3Aexample.com/searchAnalytics/query"),
        rec.search_analytics,
        [("day", f"2026-03-{n:02d}", 10 / (100 + n)) for n in range(6, 11)],
        page=("search_console", 2, 3),
        malformed=Answer(200, {"rows": [{"keys": ["2026-03-09"], "clicks": "ten"}]}),
    ),
    Case(
        "mailchimp",
        {},
        {"api_key": "key-us6"},
        {"metric": "opens", "period": "month", "backfill_days": 40, "filter": "list1"},
        ("GET", "/3.0/reports"),
        rec.mailchimp_reports,
        [("month", m, v) for m, v in sorted(rec.mailchimp_expected(d("2026-01-01"), d("2026-03-10"), "list1").items())],
        page=("mailchimp", 3, 8),
    ),
    Case(
        "jira",
        {"email": "me@example.com"},
        {"api_token": "jira-token"},
        {"metric": "created", "period": "week", "backfill_days": 7},
        ("POST", "/rest/api/3/search/jql"),
        rec.jira_search,
        [("week", "2026-03-02", 14.0), ("week", "2026-03-09", 4.0)],
        page=("jira", 5, 4),
    ),
    Case(
        "zendesk",
        {"subdomain": "acme", "email": "agent@example.com"},
        {"api_token": "zd-token"},
        {"metric": "created", "backfill_days": 2, "filter": "tags:complaint"},
        ("GET", "/api/v2/search/count"),
        rec.zendesk_count,
        [("day", "2026-03-08", 3.0), ("day", "2026-03-09", 3.0), ("day", "2026-03-10", 3.0)],
        malformed=Answer(200, {"count": "many"}),
    ),
    Case(
        "hubspot",
        {},
        {"access_token": "pat-eu1-token"},
        {"metric": "deals_won_amount", "period": "month", "backfill_days": 15},
        ("POST", "/crm/v3/objects/deals/search"),
        rec.hubspot_search,
        [("month", "2026-02-01", 28 * 1500.5), ("month", "2026-03-01", 10 * 1500.5)],
        page=("hubspot", 4, 10),
    ),
    Case(
        "json",
        {"items_path": "$.data[*]", "date_path": "$.day", "value_path": "$.stats.count", "header_name": "X-Api-Key"},
        {"header_value": "json-secret"},
        {"metric": "value", "backfill_days": 5},
        ("GET", "/stats"),
        rec.generic_json,
        [("day", f"2026-03-{n:02d}", float(daily(d(f"2026-03-{n:02d}")))) for n in range(5, 11)],
        malformed=Answer(200, {"data": [{"day": "soon", "stats": {"count": 1}}]}),
    ),
    Case(
        "csv",
        {"date_column": "dato", "value_column": "besøk", "filter_column": "side", "header_name": "X-Api-Key"},
        {"header_value": "json-secret"},
        {"metric": "value", "backfill_days": 3, "filter": "/blog"},
        ("GET", "/export.csv"),
        rec.generic_csv,
        [("day", f"2026-03-{n:02d}", daily(d(f"2026-03-{n:02d}")) + 0.5) for n in range(7, 11)],
        malformed=Answer(200, "date,value\n2026-03-09,1\n"),
    ),
]
IDS = [c.kind for c in CASES]


def setup(client, vendor, case: Case, answer: Any = None):
    settings = dict(case.settings)
    credentials = dict(case.credentials)
    if case.kind in ("ga4", "search_console"):
        credentials["service_account_json"] = rec.service_account()[0]
        vendor.on("POST", "/token", rec.google_token(vendor.url))
    if case.kind == "jira":
        settings["base_url"] = vendor.url
    if case.kind in ("json", "csv"):
        settings["url"] = vendor.url + case.route[1]
    vendor.on(*case.route, *(answer if isinstance(answer, list) else [answer or case.answer]))
    made = make_connector(client, case.kind, settings, credentials)
    kpi = make_kpi(client)
    add_feed(client, made["id"], kpi["id"], **case.feed)
    return made, kpi


def calls(vendor, case: Case) -> int:
    return sum(1 for s in vendor.seen if (s.method, s.path) == case.route)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_land_on_the_kpi_and_period(client, engine, vendor, case):
    made, kpi = setup(client, vendor, case)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "ok", run.error
    stored = [(v[1], v[2], v[3]) for v in values(engine, kpi["id"])]
    assert stored == [(p, s, pytest.approx(v)) for p, s, v in case.expected]
    assert {v[4] for v in values(engine)} == {"connector"}


@pytest.mark.parametrize("case", [c for c in CASES if c.page], ids=[c.kind for c in CASES if c.page])
def test_paging(client, engine, vendor, monkeypatch, case):
    module, size, requests = case.page
    monkeypatch.setattr(f"services.metrics.connectors.kinds.{module}.PAGE", size)
    made, kpi = setup(client, vendor, case)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "ok", run.error
    assert calls(vendor, case) == requests
    assert [(v[1], v[2], v[3]) for v in values(engine, kpi["id"])] == [
        (p, s, pytest.approx(v)) for p, s, v in case.expected
    ]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_401_says_what_to_do(client, engine, vendor, case):
    made, _ = setup(client, vendor, case, Answer(401, {"message": "Unauthorized"}))
    run = pull(engine, made["id"], now=NOW)
    spec = KINDS[case.kind]
    assert run.status == "failed" and run.error.startswith(f"{spec.label} answered 401: {spec.unauthorized}")
    periods = len(case.expected) if case.kind == "zendesk" else 1  # Zendesk: one count a period, none retried
    assert values(engine) == [] and calls(vendor, case) == periods


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_429_then_5xx_then_success(client, engine, vendor, case):
    script = [Answer(429, {"message": "rate limited"}, {"Retry-After": "0"}), Answer(503, "unavailable"), case.answer]
    made, kpi = setup(client, vendor, case, script)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "ok", run.error
    assert len(values(engine, kpi["id"])) == len(case.expected)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_malformed_answer_stores_nothing(client, engine, vendor, case):
    made, _ = setup(client, vendor, case, case.malformed)
    run = pull(engine, made["id"], now=NOW)
    label = KINDS[case.kind].label
    assert run.status == "failed" and run.error.startswith(f"{label} answered"), run.error
    assert values(engine) == []


def test_zendesk_first_reply_time_pages_by_cursor_and_averages(client, engine, vendor, monkeypatch):
    monkeypatch.setattr("services.metrics.connectors.kinds.zendesk.PAGE", 7)
    case = Case(
        "zendesk",
        {"subdomain": "acme", "email": "agent@example.com"},
        {"api_token": "zd-token"},
        {"metric": "first_reply_minutes", "backfill_days": 9},
        ("GET", "/api/v2/ticket_metrics"),
        rec.zendesk_metrics,
        [],
    )
    made, kpi = setup(client, vendor, case)
    assert pull(engine, made["id"], now=NOW).status == "ok"
    assert calls(vendor, case) == 5
    assert [(v[2], v[3]) for v in values(engine)] == [(f"2026-03-{n:02d}", 40.0) for n in range(1, 11)]


def test_jira_open_issues_count_for_the_current_period(client, engine, vendor):
    case = Case(
        "jira",
        {"email": "me@example.com"},
        {"api_token": "jira-token"},
        {"metric": "open", "period": "month", "filter": "project = WEB"},
        ("POST", "/rest/api/3/search/approximate-count"),
        rec.jira_count,
        [],
    )
    made, _ = setup(client, vendor, case)
    assert pull(engine, made["id"], now=NOW).status == "ok"
    assert [(v[1], v[2], v[3]) for v in values(engine)] == [("month", "2026-03-01", 17.0)]
    assert vendor.seen[-1].json() == {"jql": "(project = WEB) AND statusCategory != Done"}


def test_vendor_addresses_fill_in_from_settings_and_keys():
    from services.metrics.connectors.config import ConnectorSettings
    from services.metrics.connectors.runner import base_url

    cs = ConnectorSettings(
        mailchimp_url="https://{dc}.api.mailchimp.com", zendesk_url="https://{subdomain}.zendesk.com"
    )
    assert base_url(KINDS["mailchimp"], {}, {"api_key": "abc-us6"}, cs) == "https://us6.api.mailchimp.com"
    assert base_url(KINDS["zendesk"], {"subdomain": "acme"}, {}, cs) == "https://acme.zendesk.com"
    assert (
        base_url(KINDS["plausible"], {"base_url": "https://stats.example.org"}, {}, cs) == "https://stats.example.org"
    )


def test_a_subdomain_that_would_change_the_host_is_refused(client):
    from kit.roles import Role
    from kit.testing import auth, problem

    body = {
        "name": "Z",
        "kind": "zendesk",
        "settings": {"subdomain": "evil.com/x?", "email": "a@b.c"},
        "credentials": {"api_token": "t"},
    }
    problem(client.post("/api/v1/connectors", json=body, headers=auth(Role.admin)), 422, "settings.subdomain")
