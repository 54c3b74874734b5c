"""Plausible and Matomo against a local vendor serving answers in their documented shapes."""

from __future__ import annotations

import time

import pytest

from services.metrics.tests.connectors.helpers import SECRET, add_feed, at, make_connector, make_kpi, pull, values
from services.metrics.tests.connectors.recorded import daily, matomo_api, plausible_query
from services.metrics.tests.connectors.vendor import Answer

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
NOW = at("2026-03-10T08:00:00")
QUERY = "/api/v2/query"
NO_KEY = (
    "Invalid API key or site ID. Please make sure you're using a valid API key with access to the site "
    "you've requested."
)


def plausible(client, **feed):
    made = make_connector(client, "plausible", {"site_id": "example.com"}, {"api_key": SECRET})
    kpi = make_kpi(client)
    add_feed(client, made["id"], kpi["id"], feed.pop("metric", "visitors"), **({"backfill_days": 9} | feed))
    return made, kpi


def test_plausible_values_land_on_the_kpi_and_period(client, engine, vendor):
    vendor.on("POST", QUERY, plausible_query)
    made, kpi = plausible(client, metric="pageviews", filter="/blog*", period="week", backfill_days=14)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "ok", run.error
    assert [(v[1], v[2]) for v in values(engine)] == [
        ("week", "2026-02-23"),
        ("week", "2026-03-02"),
        ("week", "2026-03-09"),
    ]
    sent = vendor.seen[0].json()
    assert sent["site_id"] == "example.com" and sent["metrics"] == ["pageviews"]
    assert sent["dimensions"] == ["time:week"] and sent["filters"] == [["contains", "event:page", ["/blog"]]]
    assert sent["date_range"] == ["2026-02-23", "2026-03-10"]
    assert vendor.seen[0].headers["authorization"] == f"Bearer {SECRET}"


def test_plausible_goal_conversions_filter_on_the_goal(client, engine, vendor):
    vendor.on("POST", QUERY, plausible_query)
    made, _ = plausible(client, metric="conversions", filter="Signup", backfill_days=1)
    assert pull(engine, made["id"], now=NOW).status == "ok"
    assert vendor.seen[0].json()["filters"] == [["is", "event:goal", ["Signup"]]]


def test_plausible_pages_through_long_ranges(client, engine, vendor, monkeypatch):
    from services.metrics.connectors.kinds import plausible as kind

    monkeypatch.setattr(kind, "PAGE", 5)
    vendor.on("POST", QUERY, lambda seen: plausible_query(_with_limit(seen, 5)))
    made, kpi = plausible(client, backfill_days=11)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "ok" and run.stored == 12
    assert [s.json()["pagination"]["offset"] for s in vendor.seen] == [0, 5, 10]
    assert values(engine)[-1] == (kpi["id"], "day", "2026-03-10", float(daily(NOW.date())), "connector")


def _with_limit(seen, limit):
    import json

    body = json.loads(seen.body)
    body["pagination"]["limit"] = limit
    seen.body = json.dumps(body).encode()
    return seen


def test_plausible_401_says_what_to_do(client, engine, vendor):
    vendor.on(
        "POST",
        QUERY,
        Answer(
            401,
            {"error": NO_KEY},
        ),
    )
    made, _ = plausible(client)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "failed" and values(engine) == []
    assert run.error.startswith("Plausible answered 401: the API key is wrong, revoked, or not a Stats API key")
    assert len(vendor.seen) == 1  # a 401 is not retried


def test_plausible_429_waits_as_retry_after_says(client, engine, vendor):
    vendor.on("POST", QUERY, Answer(429, {"error": "Too many API requests"}, {"Retry-After": "1"}), plausible_query)
    made, _ = plausible(client, backfill_days=2)
    started = time.monotonic()
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "ok" and run.stored == 3
    assert time.monotonic() - started >= 0.95 and len(vendor.seen) == 2


def test_a_429_asking_too_long_a_wait_fails_in_words(client, engine, vendor):
    vendor.on("POST", QUERY, Answer(429, {"error": "Too many API requests"}, {"Retry-After": "3600"}))
    made, _ = plausible(client)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "failed" and "asks to wait 3600 s" in run.error


def test_plausible_5xx_then_success(client, engine, vendor):
    vendor.on("POST", QUERY, Answer(502, "Bad gateway"), Answer(503, {"error": "down"}), plausible_query)
    made, _ = plausible(client, backfill_days=1)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "ok" and len(vendor.seen) == 3


def test_plausible_5xx_every_time_gives_up_in_words(client, engine, vendor):
    vendor.on("POST", QUERY, Answer(500, {"error": "oops"}))
    made, _ = plausible(client)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "failed" and run.error == "Plausible answered 500: it is having trouble (oops) (4 attempts)"


@pytest.mark.parametrize(
    "body, words",
    [
        ("<html>maintenance</html>", "not JSON"),
        ({"data": []}, "no results list"),
        ({"results": [{"dimensions": ["2026-03-09"], "metrics": ["many"]}]}, "not a number"),
        ({"results": [{"dimensions": ["yesterday"], "metrics": [1]}]}, "is not a date"),
    ],
)
def test_plausible_malformed_answer_stores_nothing(client, engine, vendor, body, words):
    good = plausible_query
    answers = iter([good, lambda seen: Answer(200, body)])
    vendor.on("POST", QUERY, lambda seen: next(answers)(seen))
    made, kpi = plausible(client)
    other = make_kpi(client, "Pageviews")
    add_feed(client, made["id"], other["id"], "pageviews")
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "failed" and words in run.error and run.error.startswith("Plausible answered")
    assert values(engine) == []  # the first feed's good answer was not half-stored


# --- Matomo ----------------------------------------------------------------------------------------


def matomo(client, token="good-token", **feed):
    made = make_connector(client, "matomo", {"base_url": vendor_url[0], "site_id": "1"}, {"token_auth": token})
    kpi = make_kpi(client)
    add_feed(client, made["id"], kpi["id"], feed.pop("metric", "visits"), **({"backfill_days": 20} | feed))
    return made, kpi


vendor_url: list[str] = []


@pytest.fixture
def matomo_vendor(vendor):
    vendor.on("POST", "/index.php", matomo_api)
    vendor_url[:] = [vendor.url]
    return vendor


def test_matomo_day_values_skip_empty_periods(client, engine, matomo_vendor):
    made, kpi = matomo(client, backfill_days=25)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "ok", run.error
    stored = values(engine)
    assert len(stored) == 25 and "2026-02-15" not in [v[2] for v in stored]  # Matomo's [] for no data
    assert stored[0] == (kpi["id"], "day", "2026-02-13", float(daily(NOW.date().replace(day=13, month=2))), "connector")
    seen = matomo_vendor.seen[0]
    assert seen.query["method"] == ["VisitsSummary.get"] and seen.query["date"] == ["2026-02-13,2026-03-10"]
    assert "token_auth" not in seen.query and seen.form()["token_auth"] == ["good-token"]


def test_matomo_months_goals_and_segments(client, engine, matomo_vendor):
    made, kpi = matomo(client, metric="revenue", filter="4", period="month", backfill_days=40)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "ok", run.error
    assert [(v[1], v[2], v[3]) for v in values(engine)] == [
        ("month", "2026-01-01", 12.5),
        ("month", "2026-02-01", 12.5),
        ("month", "2026-03-01", 12.5),
    ]
    assert matomo_vendor.seen[0].query["idGoal"] == ["4"]
    other = make_kpi(client, "Blog visits")
    from services.metrics.tests.connectors.helpers import add_feed as feed

    feed(client, made["id"], other["id"], "bounce_rate", filter="/blog", period="week", backfill_days=7)
    asked_before = len(matomo_vendor.seen)
    pull(engine, made["id"], "manual:2", now=NOW)
    # the run fetches its feeds concurrently: the blog feed's request is among this run's, in any order
    segments = [r.query.get("segment") for r in matomo_vendor.seen[asked_before:]]
    assert ["pageUrl=@/blog"] in segments, segments
    assert values(engine, other["id"])[0][1:4] == ("week", "2026-03-02", 41.0)


def test_matomo_long_ranges_go_in_yearly_slices(client, engine, matomo_vendor):
    made, _ = matomo(client, backfill_days=800)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "ok" and len(matomo_vendor.seen) == 3


def test_matomo_wrong_token_is_a_401_in_words(client, engine, matomo_vendor):
    made, _ = matomo(client, token="bad-token")
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "failed" and values(engine) == []
    assert run.error.startswith("Matomo answered 401: the token is wrong or lacks view access (You can't access")


def test_matomo_429_and_5xx_then_success(client, engine, vendor):
    vendor.on("POST", "/index.php", Answer(429, "slow down", {"Retry-After": "0"}), Answer(504, "timeout"), matomo_api)
    vendor_url[:] = [vendor.url]
    made, _ = matomo(client, backfill_days=3)
    assert pull(engine, made["id"], now=NOW).status == "ok" and len(vendor.seen) == 3


def test_matomo_malformed_answer_stores_nothing(client, engine, vendor):
    vendor.on("POST", "/index.php", Answer(200, {"2026-03-09": "lots"}))
    vendor_url[:] = [vendor.url]
    made, _ = matomo(client)
    run = pull(engine, made["id"], now=NOW)
    assert run.status == "failed" and run.error == (
        "Matomo answered in an unexpected shape: the entry for '2026-03-09' is not an object"
    )
    assert values(engine) == []


def test_matomo_check_names_the_site(client, engine, matomo_vendor):
    made, _ = matomo(client)
    resp = client.post(f"/api/v1/connectors/{made['id']}/test", headers=__import__("kit.testing").testing.auth())
    assert resp.json() == {"ok": True, "message": "Connected to Matomo: site 1 is 'Example site'.", "series": []}


def test_a_run_refuses_an_address_that_became_internal(client, engine, matomo_vendor, monkeypatch):
    """Checked again before every request: a saved URL that now reaches inside fails the run in words, unsent."""
    from kit.settings import common

    made, _ = matomo(client)
    monkeypatch.setenv("EFFEKT_OUTBOUND_ALLOW", "")
    common.cache_clear()
    try:
        run = pull(engine, made["id"], now=NOW)
    finally:
        monkeypatch.setenv("EFFEKT_OUTBOUND_ALLOW", "loopback")
        common.cache_clear()
    assert run.status == "failed" and run.error.startswith("Matomo was not called: 127.0.0.1"), run.error
    assert matomo_vendor.seen == [] and values(engine) == []
