"""In-app events: written with the change they tell of, read by their recipient only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from kit.testing import auth
from services.tasks.tests.workflow_support import ANNA, BEN, start_blog

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def test_the_recipient_reads_their_events_and_nobody_else_does(engine, client):
    with Session(engine, expire_on_commit=False) as session:
        _, run = start_blog(session, date(2026, 6, 26))
        session.commit()
    mine = client.get("/api/v1/task-events", headers=auth(user_id=ANNA)).json()
    assert mine["count"] == 1 and mine["data"][0]["kind"] == "assigned" and mine["data"][0]["run_id"] == run.id
    assert client.get("/api/v1/task-events", headers=auth(user_id=BEN)).json()["count"] == 0
    assert client.get("/api/v1/task-events", headers=auth(user_id=ANNA, workspace_id=2)).json()["count"] == 0
