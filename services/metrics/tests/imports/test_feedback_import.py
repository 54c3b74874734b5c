"""Importing feedback items through the import API: suggested columns in four languages, the line-numbered
report, all or nothing (or the good lines), targets and KPIs filled, XLSX, and no second run."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlmodel import Session, select

from kit.roles import Role
from kit.testing import auth, problem
from services.metrics.feedback.models import FeedbackEvent, FeedbackItem
from services.metrics.imports.jobs import run_import_sync
from services.metrics.tests.factories import import_attempt as _attempt

URL = "/api/v1/imports"
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
GOOD = (
    "Mottatt;Kanal;Type;Kategori;Tekst;Kunde;E-post\n"
    "2026-03-02 09:00;Facebook;klage;Staff and service;Rude at the counter;Kari;kari@example.org\n"
    "02.03.2026 10.30;e-post;spørsmål;;When do you open?;;\n"
    "2026-04-01;telefon;ros;product;<b>Great</b> soup;;\n"
)


@pytest.fixture(autouse=True)
def queued(monkeypatch):  # no client of these tests may reach Redis
    from services.metrics.imports import routes as routes_imports

    async def fake(request, import_id, attempt, created):
        return None

    monkeypatch.setattr(routes_imports, "enqueue", fake)


def upload(client, body: str | bytes, name: str = "feedback.csv", headers: dict | None = None):
    data = body.encode() if isinstance(body, str) else body
    return client.post(
        URL,
        files={"file": (name, io.BytesIO(data), "text/csv")},
        data={"target": "feedback_items"},
        headers=headers or auth(),
    )


def run(client, engine, record: dict, **flags) -> dict:
    mapping = {**record["suggested"], **flags}
    resp = client.post(f"{URL}/{record['id']}/run", json={"mapping": mapping}, headers=auth())
    assert resp.status_code == 202, resp.text
    run_import_sync(engine, record["id"], _attempt(engine, record["id"]))
    return client.get(f"{URL}/{record['id']}", headers=auth()).json()


def items(engine) -> list[FeedbackItem]:
    with Session(engine) as session:
        return list(session.exec(select(FeedbackItem).order_by(FeedbackItem.id)).all())


def test_norwegian_headers_are_mapped_and_every_line_filed_as_new(client, engine):
    client.put("/api/v1/feedback/targets/facebook", json={"hours": 4}, headers=auth())
    resp = upload(client, GOOD)
    assert resp.status_code == 201, resp.text
    record = resp.json()
    assert record["target"] == "feedback_items"
    assert record["suggested"]["columns"] == [
        "received_at",
        "channel",
        "kind",
        "category",
        "text",
        "customer_name",
        "customer_contact",
    ]
    assert record["suggested"]["channel"] is None and record["suggested"]["period"] is None
    result = run(client, engine, record)
    assert result["status"] == "done" and result["created"] == 3 and result["rows_total"] == 3
    rude, question, praise = items(engine)
    assert (rude.channel, rude.kind, rude.sentiment, rude.state) == ("facebook", "complaint", "negative", "new")
    assert rude.customer_contact == "kari@example.org" and rude.due_at is not None
    assert (question.channel, question.kind, question.sentiment, question.category_id) == (
        "email",
        "question",
        "neutral",
        None,
    )
    assert question.received_at.hour == 10 and question.received_at.minute == 30
    assert praise.received_month == date(2026, 4, 1) and praise.sentiment == "positive"
    assert praise.text.startswith("<b>")
    with Session(engine) as session:
        assert session.exec(select(FeedbackEvent.detail).where(FeedbackEvent.item_id == rude.id)).all() == [
            "facebook (import)"
        ]
    # the KPIs count the imported complaints; a done import of feedback does not run again
    client.post("/api/v1/feedback/kpis", headers=auth())
    problem(client.post(f"{URL}/{record['id']}/run", json={}, headers=auth()), 409)
    assert len(items(engine)) == 3


def test_one_bad_line_stores_nothing_unless_the_good_lines_are_wanted(client, engine):
    text = GOOD + "yesterday;pigeon;rant;Weather;;;\n" + "2026-03-05;chat;complaint;price;Too dear;;\n"
    record = upload(client, text).json()
    result = run(client, engine, record)
    assert result["status"] == "failed_validation" and result["bad_lines"] == 1 and items(engine) == []
    report = client.get(f"{URL}/{record['id']}/problems", headers=auth()).json()["data"]
    assert {(p["line"], p["column"]) for p in report} == {
        (5, "Mottatt"),
        (5, "Kanal"),
        (5, "Type"),
        (5, "Kategori"),
        (5, "Tekst"),
    }
    result = run(client, engine, record, store_good=True)
    assert result["status"] == "done" and result["created"] == 4 and len(items(engine)) == 4


def test_a_channel_for_every_line_and_xlsx(client, engine):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Päivämäärä", "Palaute"])  # Finnish: date, feedback
    sheet.append([date(2026, 3, 2), "Hidas toimitus"])
    out = io.BytesIO()
    book.save(out)
    record = upload(client, out.getvalue(), "palaute.xlsx").json()
    assert record["suggested"]["columns"] == ["received_at", "text"] and record["suggested"]["channel"] == "other"
    result = run(client, engine, record, channel="review_site")
    assert result["status"] == "done" and [i.channel for i in items(engine)] == ["review_site"]


@pytest.mark.parametrize(
    "mapping, field",
    [
        ({"columns": ["received_at", "text"]}, "mapping.channel"),
        ({"columns": ["received_at", "ignore"], "channel": "x"}, "mapping.columns"),
        ({"columns": ["received_at", "value"], "channel": "x"}, "mapping.columns.1"),
        ({"columns": ["received_at", "text"], "channel": "x", "period": "day"}, "mapping.period"),
    ],
)
def test_a_mapping_of_feedback_refuses_what_does_not_fit(client, mapping, field):
    record = upload(client, "date;text\n2026-03-02;x\n").json()
    problem(client.post(f"{URL}/{record['id']}/run", json={"mapping": mapping}, headers=auth()), 422, field)


def test_viewers_cannot_upload_and_others_do_not_see_it(client):
    problem(upload(client, GOOD, headers=auth(Role.viewer)), 403)
    record = upload(client, GOOD).json()
    problem(client.get(f"{URL}/{record['id']}", headers=auth(workspace_id=2)), 404)
    odd = client.post(URL, files={"file": ("a.csv", io.BytesIO(b"a\n1\n"))}, data={"target": "x"}, headers=auth())
    problem(odd, 422, "target")
