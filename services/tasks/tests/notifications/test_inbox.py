"""The inbox and preferences API: the caller's own, the text in their language, bad input named by field."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from kit.roles import Role
from kit.testing import auth
from services.tasks.tests.workflow_support import ANNA, BEN, start_blog

API = "/api/v1/notifications"


def test_the_inbox_reads_in_the_callers_language_and_marks_read(engine, client):
    with Session(engine, expire_on_commit=False) as session:
        _, run = start_blog(session, date(2026, 6, 26))
        session.commit()
    anna = auth(user_id=ANNA, role=Role.viewer)  # personal: a viewer manages their own inbox
    body = client.get(API, params={"lang": "sv"}, headers=anna).json()
    assert body["count"] == 1 and body["unread"] == 1
    item = body["data"][0]
    assert item["kind"] == "assigned" and item["text"].endswith(f"i {run.name} är din nu")
    assert item["link"].startswith(f"/runs/{run.id}#task-")
    assert client.get(f"{API}/unread-count", headers=anna).json() == {"count": 1}
    assert client.post(f"{API}/{item['id']}/read", headers=auth(user_id=BEN)).status_code == 404  # not Ben's
    assert client.post(f"{API}/{item['id']}/read", headers=auth(user_id=ANNA, workspace_id=2)).status_code == 404
    assert client.post(f"{API}/{item['id']}/read", headers=anna).status_code == 204
    assert client.get(f"{API}/unread-count", headers=anna).json() == {"count": 0}
    assert client.get(API, params={"unread": True}, headers=anna).json()["count"] == 0
    assert client.post(f"{API}/read-all", headers=anna).json() == {"count": 0}
    assert client.get(API, headers=auth(user_id=BEN)).json()["count"] == 0


def test_mark_all_read(engine, client):
    with Session(engine, expire_on_commit=False) as session:
        start_blog(session, date(2026, 6, 26))
        start_blog(session, date(2026, 8, 28))
        session.commit()
    anna = auth(user_id=ANNA)
    assert client.get(f"{API}/unread-count", headers=anna).json() == {"count": 2}
    client.post(f"{API}/read-all", headers=anna)
    assert client.get(f"{API}/unread-count", headers=anna).json() == {"count": 0}


def test_preferences_are_saved_per_kind_and_bad_input_names_the_field(client):
    me = auth(user_id=BEN, role=Role.viewer)
    prefs = client.get(f"{API}/preferences", headers=me).json()
    assert {k["email"] for k in prefs["kinds"]} == {"immediate"} and prefs["quiet_start"] is None
    saved = client.put(
        f"{API}/preferences",
        json={"kinds": [{"kind": "assigned", "email": "digest"}], "quiet_start": "22:00", "quiet_end": "07:00"},
        headers=me,
    ).json()
    assert {k["kind"]: k["email"] for k in saved["kinds"]}["assigned"] == "digest"
    assert saved["quiet_start"] == "22:00:00" and saved["quiet_end"] == "07:00:00"
    assert client.get(f"{API}/preferences", headers=auth(user_id=ANNA)).json()["quiet_start"] is None  # mine only
    for body, field in [
        ({"quiet_start": "22:00"}, "quiet_end"),
        ({"quiet_start": "22:00", "quiet_end": "22:00"}, "quiet_end"),
        ({"kinds": [{"kind": "assigned", "email": "sometimes"}]}, "kinds"),
        ({"kinds": [{"kind": "assigned", "email": "off"}, {"kind": "assigned", "email": "digest"}]}, "kinds"),
        ({"colour": "red"}, "colour"),
        ({"quiet_start": "16:56:16+18:22", "quiet_end": "07:00"}, "quiet_start"),  # an offset: PostgreSQL refused it
    ]:
        answer = client.put(f"{API}/preferences", json=body, headers=me)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert any(e["field"].startswith(field) for e in answer.json()["errors"]), answer.json()
    assert client.get(f"{API}/preferences", headers=me).json()["quiet_end"] == "07:00:00"  # unchanged
    assert client.put(f"{API}/preferences", json={}, headers={}).status_code == 401
