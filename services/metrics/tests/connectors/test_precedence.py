"""A connector's values against the other sources: a person's manual value wins; the KPI says it is fed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kit.testing import auth
from services.metrics.tests.connectors.helpers import SECRET, add_feed, make_connector, make_kpi, pull
from services.metrics.tests.connectors.recorded import daily, plausible_query

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def test_a_manual_value_wins_over_the_connectors(client, engine, vendor):
    vendor.on("POST", "/api/v2/query", plausible_query)
    made = make_connector(client, "plausible", {"site_id": "example.com"}, {"api_key": SECRET})
    kpi = make_kpi(client)
    today = datetime.now(UTC).date()
    add_feed(client, made["id"], kpi["id"], "visitors", backfill_days=today.day - 1)
    assert client.get(f"/api/v1/kpis/{kpi['id']}", headers=auth()).json()["source"] == "connector"
    assert pull(engine, made["id"]).status == "ok"
    days = [today.replace(day=n) for n in range(1, today.day + 1)]
    pulled = float(sum(daily(d) for d in days))
    assert client.get(f"/api/v1/kpis/{kpi['id']}", headers=auth()).json()["actual"] == pytest.approx(pulled)
    manual = {"kpi_id": kpi["id"], "period": "day", "period_start": today.isoformat(), "value": 1.0, "source": "manual"}
    assert client.post("/api/v1/observations", json=manual, headers=auth()).status_code in (200, 201)
    assert pull(engine, made["id"], "manual:again").status == "ok"  # a re-pull does not undo the correction
    actual = client.get(f"/api/v1/kpis/{kpi['id']}", headers=auth()).json()["actual"]
    assert actual == pytest.approx(pulled - daily(today) + 1.0)
