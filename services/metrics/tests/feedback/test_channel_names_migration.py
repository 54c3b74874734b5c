"""The data migration that renames "Complaints via in person" and its kin, on SQLite (and on PostgreSQL when
EFFEKT_TEST_DATABASE_URL names a server: a database of its own, dropped after)."""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlmodel import Session, select

import services.metrics.models  # noqa: F401  (registers every concept's tables)
from kit.db import make_engine
from kit.migrations import downgrade, upgrade
from services.metrics.db import SERVICE_DIR
from services.metrics.feedback.models import FeedbackKpi, Measure
from services.metrics.kpis.models import Category, Kpi, Unit

BEFORE = "53eefa2a43a5"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'metrics.db'}"
        return
    server = os.environ.get("EFFEKT_TEST_DATABASE_URL")
    if not server:
        pytest.skip("EFFEKT_TEST_DATABASE_URL is not set")
    import psycopg

    name = f"effekt_names_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _kpi(session: Session, workspace_id: int, name: str, channel: str | None, *, archived: bool = False) -> int:
    kpi = Kpi(
        workspace_id=workspace_id, name=name, unit=Unit.number, category=Category.result, source="feedback",
        archived=archived,
    )  # fmt: skip
    session.add(kpi)
    session.flush()
    if channel:
        session.add(FeedbackKpi(kpi_id=kpi.id, workspace_id=workspace_id, measure=Measure.complaints, channel=channel))
    return kpi.id


def test_generated_channel_names_are_renamed_and_others_left_alone(url):
    upgrade(SERVICE_DIR, url, BEFORE)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            ids = {
                "in_person": _kpi(session, 1, "Complaints via in person", "in_person"),
                "phone": _kpi(session, 1, "Complaints via phone", "phone"),
                "facebook": _kpi(session, 1, "Complaints via Facebook", "facebook"),
                "renamed_by_hand": _kpi(session, 1, "Calls that went wrong", "email"),
                "taken": _kpi(session, 2, "Complaints via email", "email"),
                "hand_made": _kpi(session, 3, "Complaints via chat", None),  # not a built-in: the user's own
            }
            _kpi(session, 2, "Complaints by email", None)  # the new name is taken in workspace 2
            session.commit()
        upgrade(SERVICE_DIR, url)
        with Session(engine) as session:
            names = {k.id: k.name for k in session.exec(select(Kpi)).all()}
        assert {key: names[i] for key, i in ids.items()} == {
            "in_person": "Complaints in person",
            "phone": "Complaints by phone",
            "facebook": "Complaints via Facebook",
            "renamed_by_hand": "Calls that went wrong",
            "taken": "Complaints via email",
            "hand_made": "Complaints via chat",
        }
        downgrade(SERVICE_DIR, url, BEFORE)
        with Session(engine) as session:
            names = {k.id: k.name for k in session.exec(select(Kpi)).all()}
        assert names[ids["in_person"]] == "Complaints via in person"
        assert names[ids["phone"]] == "Complaints via phone"
    finally:
        engine.dispose()
