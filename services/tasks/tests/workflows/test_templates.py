"""Workflow templates through the tasks service's HTTP API: versions, built-ins, copies, preview, calendar."""

from __future__ import annotations

from datetime import date

import pytest

from kit.identity import WORKSPACES_HEADER, sign_workspaces
from kit.roles import Role
from kit.testing import TEST_KEY, auth, problem
from services.tasks.tests.workflow_support import start_blog
from services.tasks.workflows import builtin

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
URL = "/api/v1/workflows"


def definition(**step_changes):
    d = builtin.definition("newsletter")
    d["steps"][0] |= step_changes
    return d


def create(client, workspace_id=1, **kw):
    body = {"name": "Newsletter", "definition": definition(), **kw}
    r = client.post(URL, json=body, headers=auth(workspace_id=workspace_id))
    assert r.status_code == 201, r.text
    return r.json()


def test_create_makes_a_draft_and_publish_makes_it_current(client):
    wf = create(client)
    assert wf["draft_version"] == 1 and wf["published_version"] is None
    assert wf["current"]["state"] == "draft"
    published = client.post(f"{URL}/{wf['id']}/publish", headers=auth()).json()
    assert published["published_version"] == 1 and published["draft_version"] is None
    r = client.post(f"{URL}/{wf['id']}/publish", headers=auth())
    problem(r, 409)


def test_editing_makes_a_draft_the_published_version_stays_and_a_diff_shows_the_change(client):
    wf = create(client)
    client.post(f"{URL}/{wf['id']}/publish", headers=auth())
    r = client.patch(
        f"{URL}/{wf['id']}", json={"definition": definition(duration_days=5), "note": "longer"}, headers=auth()
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["published_version"] == 1 and body["draft_version"] == 2
    assert body["current"]["definition"]["steps"][0]["duration_days"] == 2
    diff = client.get(f"{URL}/{wf['id']}/diff", params={"from": 1, "to": 2}, headers=auth()).json()
    assert diff["changed"] == [{"step": "topics", "field": "duration_days", "old": 2, "new": 5}]
    assert diff["added"] == diff["removed"] == []
    client.post(f"{URL}/{wf['id']}/publish", headers=auth())
    versions = client.get(f"{URL}/{wf['id']}/versions", headers=auth()).json()["data"]
    assert [(v["number"], v["state"]) for v in versions] == [(1, "retired"), (2, "published")]


def test_a_definition_with_a_cycle_is_422(client):
    r = client.post(URL, json={"name": "x", "definition": definition(depends_on=["send"])}, headers=auth())
    problem(r, 422)


def test_unknown_fields_are_refused(client):
    r = client.post(URL, json={"name": "x", "definition": definition(), "colour": "red"}, headers=auth())
    problem(r, 422)


def test_preview_shows_every_date_and_the_rule(client):
    wf = client.post(f"{URL}/builtins/blog-post", json={"language": "en"}, headers=auth()).json()
    r = client.post(f"{URL}/{wf['id']}/preview", json={"anchors": {"publish": "2026-06-26"}}, headers=auth())
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["steps"]) == 8 and "day before it" in body["rule"]
    outline = next(s for s in body["steps"] if s["key"] == "outline")
    assert outline["raw_due"] == "2026-06-06" and outline["due_on"] == "2026-06-05"
    assert outline["moved"] == "weekend" and outline["moved_direction"] == "earlier"
    problem(client.post(f"{URL}/{wf['id']}/preview", json={"anchors": {}}, headers=auth()), 422, "anchors.publish")


def test_builtins_are_listed_and_added_in_the_language_asked(client):
    listed = client.get(f"{URL}/builtins", params={"language": "fi"}, headers=auth()).json()
    assert listed["count"] == 4 and listed["data"][0]["name"] == "Blogikirjoitus"
    wf = client.post(f"{URL}/builtins/blog-post", json={"language": "fi"}, headers=auth()).json()
    assert wf["name"] == "Blogikirjoitus" and wf["published_version"] == 1 and wf["builtin_key"] == "blog-post"
    assert wf["current"]["definition"]["steps"][7]["title"] == "Julkaise ja tarkista julkaistu kirjoitus"
    problem(client.post(f"{URL}/builtins/nope", json={}, headers=auth()), 404)


def test_foreign_workspace_is_404_and_viewer_cannot_write(client):
    wf = create(client)
    for method, path in [("get", ""), ("patch", ""), ("post", "/publish"), ("get", "/versions"), ("post", "/preview")]:
        body = {"name": "x"} if method == "patch" else {"anchors": {"send": "2026-06-01"}}
        kw = {} if method == "get" else {"json": body}
        problem(getattr(client, method)(f"{URL}/{wf['id']}{path}", headers=auth(workspace_id=2), **kw), 404)
    problem(client.post(URL, json={"name": "x", "definition": definition()}, headers=auth(Role.viewer)), 403)
    problem(client.post(f"{URL}/{wf['id']}/publish", headers=auth(Role.viewer)), 403)
    assert client.get(f"{URL}/{wf['id']}", headers=auth(Role.viewer)).status_code == 200


def test_copy_only_from_a_workspace_the_gateway_vouches_for(client):
    wf = create(client, workspace_id=1)
    mine = {WORKSPACES_HEADER: sign_workspaces(TEST_KEY, 1, [1, 2])}
    r = client.post(f"{URL}/copy", json={"source_id": wf["id"]}, headers=auth(workspace_id=2) | mine)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Newsletter" and r.json()["id"] != wf["id"]
    problem(client.post(f"{URL}/copy", json={"source_id": wf["id"]}, headers=auth(workspace_id=3)), 422, "source_id")
    someone_else = {WORKSPACES_HEADER: sign_workspaces(TEST_KEY, 99, [1, 3])}
    r = client.post(f"{URL}/copy", json={"source_id": wf["id"]}, headers=auth(workspace_id=3) | someone_else)
    problem(r, 422, "source_id")


def test_calendar_defaults_from_the_time_zone_and_can_be_set(client):
    assert client.get(f"{URL}/calendar", headers=auth()).json()["country"] == ""
    r = client.put(f"{URL}/calendar", json={"week": "54321", "country": "fi"}, headers=auth())
    assert r.json() == {"week": "12345", "country": "FI", "subdivision": None}
    problem(client.put(f"{URL}/calendar", json={"week": "12345", "country": "XX"}, headers=auth()), 422, "country")
    problem(client.put(f"{URL}/calendar", json={"week": "129", "country": "NO"}, headers=auth()), 422, "week")


def test_a_run_keeps_the_version_it_started_with(session):
    template, run = start_blog(session, date(2026, 6, 26))
    from services.tasks.workflows import service
    from services.tasks.workflows.models import WorkflowUpdate

    d = builtin.definition("blog-post")
    d["steps"][0]["duration_days"] = 9
    service.update_template(
        session=session,
        workspace_id=1,
        template_id=template.id,
        user_id=1,
        data=WorkflowUpdate.model_validate({"definition": d}),
    )
    service.publish(session=session, workspace_id=1, template_id=template.id)
    assert template.published_version == 2 and run.version_number == 1
    _, second = start_blog(session, date(2026, 6, 26), template=template)
    assert second.version_number == 2
