"""Effect evidence computed in SQL on constructed series: a step up, noise only, a step the wrong way, too little
history, the seasonal baseline, and the HTTP route (foreign KPIs, bad probes)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from kit.dates import add_months
from kit.service_app import create_service_app
from kit.sqlcount import count_statements
from kit.testing import TEST_KEY, auth, fresh_engine, problem
from services.metrics.db import MetricsModel
from services.metrics.effects import service
from services.metrics.effects.models import Probe
from services.metrics.effects.routes import router
from services.metrics.kpis.models import Category, Frequency, Kpi, Source
from services.metrics.observations.models import Observation, Period

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
START = date(2025, 1, 1)
TODAY = date(2026, 12, 1)
NAMES = itertools.count(1)
NOISE = [0.0, 1.5, -1.0, 0.5, -1.5, 1.0, -0.5, 0.8, -0.8, 1.2, -1.2, 0.3, -0.3, 0.9, -0.9, 0.2]


@pytest.fixture
def engine(tmp_path):
    with fresh_engine(tmp_path, MetricsModel.metadata, "metrics") as engine:
        yield engine


@pytest.fixture
def session(engine):
    with Session(engine) as s:
        yield s


def kpi(session, workspace_id: int = 1, frequency: Frequency | None = Frequency.month) -> int:
    row = Kpi(workspace_id=workspace_id, name=f"KPI {next(NAMES)}", category=Category.result)
    row.expected_frequency = frequency
    session.add(row)
    session.flush()
    return row.id


def months(session, kpi_id: int, values: list[float], start: date = START, source: str = "api") -> None:
    for n, value in enumerate(values):
        session.add(
            Observation(
                workspace_id=1,
                kpi_id=kpi_id,
                period=Period.month,
                period_start=add_months(start, n),
                value=value,
                source=Source(source),
            )
        )
    session.flush()


def judge(session, kpi_id: int, done_on: date, periods: int = 3, direction: str = "up", size=None, unit="percent"):
    probe = Probe("a1", kpi_id, done_on, periods, direction, size, unit)
    return service.compute(session=session, workspace_id=1, probes=[probe], today=TODAY)[0]


# Ten months at about 100 (Jan-Oct 2025), the action done in November, three months after it.
def step(after: float) -> list[float]:
    return [100 + NOISE[n] for n in range(10)] + [100.0] + [after + NOISE[n] for n in range(3)]


def test_a_clear_step_up_is_confirmed_with_its_share_of_the_expected(session):
    k = kpi(session)
    months(session, k, step(120))
    effect = judge(session, k, date(2025, 11, 14), size=10)
    assert effect.verdict == "confirmed", effect.reason
    assert effect.window_start == date(2025, 12, 1) and effect.window_end == date(2026, 2, 28)
    assert effect.baseline_start == date(2025, 8, 1) and effect.baseline_end == date(2025, 10, 31)
    assert not effect.seasonal and effect.window_observed == 3 and effect.noise_periods == 10
    assert effect.change == pytest.approx(effect.observed - effect.baseline)
    assert 19 < effect.change < 21 and effect.expected_change == pytest.approx(effect.baseline * 0.1)
    assert "the expected way" in effect.reason and "of the expected" in effect.reason


def test_noise_only_is_inconclusive_and_says_why(session):
    k = kpi(session)
    months(session, k, step(100))
    effect = judge(session, k, date(2025, 11, 14))
    assert effect.verdict == "inconclusive"
    assert "inside the normal period-to-period variation of the last 10 periods" in effect.reason
    assert abs(effect.change) <= effect.threshold


def test_a_step_the_wrong_way_is_contradicted(session):
    k = kpi(session)
    months(session, k, step(80))
    effect = judge(session, k, date(2025, 11, 14))
    assert effect.verdict == "contradicted" and effect.change < 0
    assert "opposite way" in effect.reason


def test_down_is_the_expected_way_for_a_kpi_that_should_fall(session):
    k = kpi(session)
    months(session, k, step(80))
    assert judge(session, k, date(2025, 11, 14), direction="down", size=15, unit="absolute").verdict == "confirmed"


def test_too_little_history_is_not_enough_data_rather_than_a_verdict(session):
    k = kpi(session)
    months(session, k, [100, 101, 120, 121, 122], start=date(2025, 8, 1))  # done in October, 2 months before
    effect = judge(session, k, date(2025, 10, 3), periods=2)
    assert effect.verdict == "not_enough_data" and effect.change is None
    assert "fewer than 4 periods of history" in effect.reason
    assert "1 of the 3 periods before" in judge(session, k, date(2025, 9, 3)).reason


def test_a_window_still_running_is_not_enough_data(session):
    k = kpi(session)
    months(session, k, step(120)[:12])  # one month of the window so far
    effect = judge(session, k, date(2025, 11, 14))
    assert effect.verdict == "not_enough_data" and "1 of the 3 periods after completion" in effect.reason


def test_a_year_of_history_aligns_the_baseline_with_the_season(session):
    k = kpi(session)
    # A December peak every year: the month before it is no fair baseline, last December is.
    values = [100 + NOISE[n % 16] + (40 if n % 12 == 11 else 0) for n in range(23)] + [162]
    months(session, k, values, start=date(2024, 1, 1))
    effect = judge(session, k, date(2025, 11, 20), periods=1)
    assert effect.seasonal and effect.baseline_start == date(2024, 12, 1) and effect.baseline_end == date(2024, 12, 31)
    assert 20 < effect.change < 23  # 162 against last December's ~140, not against November's ~100


def test_the_winning_source_counts_once_per_period(session):
    k = kpi(session)
    months(session, k, step(120))
    months(session, k, [500.0] * 14, source="derived")  # ranks last: ignored where api has a value
    assert 19 < judge(session, k, date(2025, 11, 14)).change < 21


def test_weekly_kpis_count_in_weeks_and_a_foreign_kpi_gives_no_figures(session):
    weekly = kpi(session, frequency=Frequency.week)
    foreign = kpi(session, workspace_id=2)
    effects = service.compute(
        session=session,
        workspace_id=1,
        probes=[Probe("w", weekly, date(2025, 3, 5), 4, "up"), Probe("f", foreign, date(2025, 3, 5), 4, "up")],
        today=TODAY,
    )
    assert effects[0].grain == "week" and effects[0].window_start == date(2025, 3, 10)
    assert effects[0].window_end == date(2025, 4, 6) and effects[0].verdict == "not_enough_data"
    assert effects[1].grain is None and "No KPI" in effects[1].reason


def test_many_probes_are_two_statements(engine, session):
    ids = [kpi(session, frequency=None) for _ in range(3)]
    for k in ids:
        months(session, k, step(120))
    probes = [Probe(str(n), ids[n % 3], date(2025, 11, 14), 3, "up") for n in range(900)]  # nests the unions
    with count_statements(engine) as log:
        effects = service.compute(session=session, workspace_id=1, probes=probes, today=TODAY)
    assert log.count == 2 and len(effects) == 900
    assert {e.verdict for e in effects} == {"confirmed"} and effects[899].ref == "899"


@pytest.fixture
def client(engine):
    app = create_service_app(
        name="metrics", title="t", description="t", engine=engine, redis_url="redis://127.0.0.1:6379/15",
        signing_key=TEST_KEY, routers=[router],
    )  # fmt: skip
    with TestClient(app) as c:
        yield c


def test_the_route_reads_probes_and_names_a_bad_one(client, engine):
    with Session(engine) as s:
        k = kpi(s)
        months(s, k, step(120))
        s.commit()
    resp = client.get("/api/v1/effects", params={"probe": [f"7:{k}:2025-11-14:3:up:10:percent"]}, headers=auth())
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["count"] == 1 and body["data"][0]["ref"] == "7" and body["data"][0]["verdict"] == "confirmed"
    other = client.get("/api/v1/effects", params={"probe": [f"7:{k}:2025-11-14:3:up"]}, headers=auth(workspace_id=2))
    assert other.json()["data"][0]["verdict"] == "not_enough_data" and other.json()["data"][0]["baseline"] is None
    bad = client.get("/api/v1/effects", params={"probe": [f"7:{k}:2025-11-14:3:up", "x:y"]}, headers=auth())
    problem(bad, 422, "probe.1")
