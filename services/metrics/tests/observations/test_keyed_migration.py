"""The migration to the natural key moves every observation up and back down, values and all."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from kit.db import make_engine
from kit.migrations import downgrade, upgrade
from services.metrics.db import SERVICE_DIR
from services.metrics.observations.models import observation_id, observation_key

BEFORE = "b8e2c4d1a9f3"
ROWS = [(3, "day", f"2026-01-0{d}", float(d), "api") for d in range(1, 6)]
ROWS += [(4, "month", "2026-02-01", 9.5, "import")]


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        out = conn.execute(sa.text("SELECT kpi_id, period, period_start, value, source FROM observations"))
        return sorted((k, p, str(s), v, src) for k, p, s, v, src in out)


def test_observations_survive_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    upgrade(SERVICE_DIR, url, BEFORE)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for kpi, period, start, value, source in ROWS:
                conn.execute(
                    sa.text(
                        "INSERT INTO observations (kpi_id, period, period_start, value, source, workspace_id, "
                        "created_at, updated_at) VALUES (:k, :p, :s, :v, :src, 1, '2026-01-01', '2026-01-01')"
                    ),
                    {"k": kpi, "p": period, "s": start, "v": value, "src": source},
                )
        upgrade(SERVICE_DIR, url)
        engine.dispose()
        assert _rows(engine) == sorted(ROWS)
        with engine.connect() as conn:
            assert "id" not in {c["name"] for c in sa.inspect(conn).get_columns("observations")}
            assert sa.inspect(conn).get_pk_constraint("observations")["constrained_columns"] == [
                "kpi_id",
                "period",
                "period_start",
                "source",
            ]
        downgrade(SERVICE_DIR, url, BEFORE)
        engine.dispose()
        assert _rows(engine) == sorted(ROWS)
        with engine.connect() as conn:
            ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM observations ORDER BY id"))]
        assert ids == list(range(1, len(ROWS) + 1))
    finally:
        engine.dispose()


def test_an_id_is_its_key_and_back():
    key = (2**31 - 1, "week", date(2026, 11, 30), "derived")
    assert observation_key(observation_id(*key)) == key
    assert observation_key(0) is None and observation_key(2**62) is None
