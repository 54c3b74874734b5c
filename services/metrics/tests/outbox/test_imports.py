"""An import that ends tells who started it, in the transaction that ends it: finished, or failed."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from services.metrics.imports import routes as routes_imports
from services.metrics.outbox.models import NotificationOutbox
from services.metrics.tests.factories import make_kpi
from services.metrics.tests.imports.test_routes import GOOD, run, uploaded

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


@pytest.fixture(autouse=True)
def queued(monkeypatch):  # no Redis: the test runs the job itself
    async def fake(request, import_id, attempt, created):
        return None

    monkeypatch.setattr(routes_imports, "enqueue", fake)


def test_the_starter_hears_that_the_import_finished_or_failed(client, engine):
    make_kpi(client)
    good = uploaded(client, GOOD, name="visits.csv")
    bad = uploaded(client, GOOD + "Nope;day;2026-03-03;1\n", name="broken.csv")
    assert run(client, engine, good)["status"] == "done"
    assert run(client, engine, bad)["status"] == "failed_validation"
    with Session(engine) as s:
        rows = s.exec(select(NotificationOutbox).order_by(NotificationOutbox.id)).all()
    assert [(r.recipient_id, r.kind, r.key, r.link, r.params) for r in rows] == [
        (1, "import_finished", f"import:{good['id']}:1:done", f"/imports/{good['id']}", {"file": "visits.csv"}),
        (
            1,
            "import_failed",
            f"import:{bad['id']}:1:failed_validation",
            f"/imports/{bad['id']}",
            {"file": "broken.csv"},
        ),
    ]
