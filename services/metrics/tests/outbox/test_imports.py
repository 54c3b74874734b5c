"""An import that ends tells who started it, in the transaction that ends it: finished, or failed."""

from __future__ import annotations

import io

import pytest
from sqlmodel import Session, select

from kit.roles import Role
from kit.testing import auth
from services.metrics.imports import routes as routes_imports
from services.metrics.imports.jobs import run_import_sync
from services.metrics.imports.models import ObservationImport
from services.metrics.outbox.models import NotificationOutbox
from services.metrics.tests.factories import make_kpi

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


URL = "/api/v1/imports"
GOOD = "kpi;period;date;value\nVisits;day;2026-03-02;10\nVisits;month;2026-03-01;300\n"


def uploaded(client, text: str, name: str) -> dict:
    answer = client.post(URL, files={"file": (name, io.BytesIO(text.encode()), "text/csv")}, headers=auth())
    assert answer.status_code == 201, answer.text
    return answer.json()


def run(client, engine, record: dict) -> dict:
    answer = client.post(f"{URL}/{record['id']}/run", json={"mapping": record["suggested"]}, headers=auth())
    assert answer.status_code == 202, answer.text
    with Session(engine) as s:
        attempt = s.get(ObservationImport, record["id"]).attempt
    run_import_sync(engine, record["id"], attempt)
    return client.get(f"{URL}/{record['id']}", headers=auth()).json()


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


def test_admins_see_what_waits_in_their_workspace_only(client, engine):
    make_kpi(client)
    run(client, engine, uploaded(client, GOOD, name="visits.csv"))
    waiting = client.get("/api/v1/notification-outbox", headers=auth(Role.admin)).json()
    assert waiting["waiting"] == 1 and waiting["oldest_waiting_since"] and waiting["last_error"] is None
    assert client.get("/api/v1/notification-outbox", headers=auth(Role.admin, workspace_id=2)).json()["waiting"] == 0
    assert client.get("/api/v1/notification-outbox", headers=auth(Role.editor)).status_code == 403
