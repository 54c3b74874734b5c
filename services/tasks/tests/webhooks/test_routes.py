"""The webhook API's contract: admins only, scoped to the workspace, strict bodies, secrets shown once."""

from __future__ import annotations

from kit.roles import Role
from kit.testing import Signed, auth, check_contract, problem

ADMIN = Signed(Role.admin)


def test_only_admins_manage_webhooks_and_other_workspaces_see_nothing(client):
    made = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/h"}, headers=dict(ADMIN))
    assert made.status_code == 201, made.text
    hook = made.json()
    record = f"/api/v1/webhooks/{hook['id']}"
    check_contract(
        client,
        record,
        writes=[
            ("PATCH", record, {"description": "changed"}),
            ("DELETE", record),
            ("POST", f"{record}/rotate-secret"),
            ("POST", f"{record}/test"),
        ],
        creates=[("POST", "/api/v1/webhooks", {"url": "http://127.0.0.1:9/x"})],
        owner=ADMIN,
        viewer=None,
        foreign=Signed(Role.admin, workspace_id=2),
        missing="/api/v1/webhooks/999999",
    )
    for role in (Role.viewer, Role.editor):
        problem(client.get(record, headers=auth(role)), 403)
        problem(client.get("/api/v1/webhooks", headers=auth(role)), 403)
        problem(client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x"}, headers=auth(role)), 403)


def test_bad_bodies_name_the_field(client):
    for body, field in [
        ({"url": "ftp://example.com/x"}, "url"),
        ({"url": "http://127.0.0.1:9/h", "kind": "email"}, "kind"),
        ({"url": "http://127.0.0.1:9/h", "event_kinds": ["nope"]}, "event_kinds.0"),
        ({"url": "http://127.0.0.1:9/h", "colour": "red"}, "colour"),
        ({"url": "http://user:pw@127.0.0.1:9/h"}, "url"),
    ]:
        problem(client.post("/api/v1/webhooks", json=body, headers=dict(ADMIN)), 422, field)


def test_update_with_if_match_and_delete(client):
    hook = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/h"}, headers=dict(ADMIN)).json()
    record = f"/api/v1/webhooks/{hook['id']}"
    etag = client.get(record, headers=dict(ADMIN)).headers["etag"]
    resp = client.patch(
        record, json={"event_kinds": ["overdue", "due_24h", "overdue"]}, headers={**ADMIN, "if-match": etag}
    )
    assert resp.status_code == 200 and resp.json()["event_kinds"] == ["due_24h", "overdue"]
    stale = client.patch(record, json={"description": "x"}, headers={**ADMIN, "if-match": etag})
    assert stale.status_code == 412
    assert client.delete(record, headers=dict(ADMIN)).status_code == 204
    problem(client.get(record, headers=dict(ADMIN)), 404)
    rotate = client.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/s", "kind": "slack"}, headers=dict(ADMIN))
    problem(client.post(f"/api/v1/webhooks/{rotate.json()['id']}/rotate-secret", headers=dict(ADMIN)), 409)
