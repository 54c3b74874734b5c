"""The gateway's own API: workspaces and settings, members and roles, API tokens — the UI's rules, over HTTP."""

from __future__ import annotations

from kit.testing import problem
from tests import support


def token_for(account: support.Account, email: str, role: str) -> dict[str, str]:
    """A token of `role` for the member with this email in the account's workspace."""
    from gateway import accounts, tokens
    from gateway.models import ApiTokenCreate
    from kit.roles import Role

    def create(session):
        user = accounts.get_user_by_email(session=session, email=email)
        _, raw = tokens.create_token(
            session=session,
            workspace_id=account.workspace_id,
            user_id=user.id,
            creator_role=Role(role),
            data=ApiTokenCreate(name="t", role=Role(role)),
        )
        return raw

    return {"Authorization": f"Bearer {support.gateway_db(create)}"}


def test_workspace_settings_read_and_change(client, live):
    owner = support.make_account(role="owner")
    h = owner.headers()
    listed = client.get("/api/v1/workspaces", headers=h).json()
    assert listed["count"] == 1 and listed["data"][0]["role"] == "owner" and listed["next"] is None
    url = f"/api/v1/workspaces/{owner.workspace_id}"
    got = client.get(url, headers=h)
    assert got.json()["slug"] == owner.slug and got.json()["country"] is None
    r = client.patch(url, json={"timezone": "Europe/Helsinki", "country": "fi"}, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["timezone"], r.json()["country"]) == ("Europe/Helsinki", "FI")
    assert client.patch(url, json={"country": None}, headers=h).json()["country"] is None
    problem(client.patch(url, json={"country": "XX"}, headers=h), 422, "country")
    problem(client.patch(url, json={"timezone": "Mars/Base"}, headers=h), 422, "timezone")
    problem(client.patch(url, json={"name": None}, headers=h), 422, "name")
    problem(client.patch(url, json={"timezon": "UTC"}, headers=h), 422, "timezon")
    problem(client.patch(url, json={"name": "x"}, headers={**h, "If-Match": got.headers["etag"]}), 412)


def test_other_workspaces_are_404_and_viewers_cannot_change_settings(client, live):
    owner, other = support.make_account(role="owner"), support.make_account(role="owner")
    for path in ("", "/members", "/tokens", f"/members/{other.user_id}"):
        problem(client.get(f"/api/v1/workspaces/{other.workspace_id}{path}", headers=owner.headers()), 404)
    problem(client.patch(f"/api/v1/workspaces/{other.workspace_id}", json={"name": "x"}, headers=owner.headers()), 404)
    viewer = support.make_account(role="viewer")
    mine = f"/api/v1/workspaces/{viewer.workspace_id}"
    problem(client.patch(mine, json={"name": "x"}, headers=viewer.headers()), 403)


def test_create_a_workspace(client, live):
    owner = support.make_account(role="owner")
    r = client.post("/api/v1/workspaces", json={"name": "Fjord Café AS", "country": "NO"}, headers=owner.headers())
    assert r.status_code == 201, r.text
    assert r.headers["location"] == f"/api/v1/workspaces/{r.json()['id']}"
    assert r.json()["role"] == "owner" and r.json()["slug"].startswith("fjord-cafe-as")
    taken = client.post("/api/v1/workspaces", json={"name": "x", "slug": r.json()["slug"]}, headers=owner.headers())
    problem(taken, 409, "slug")
    nul = client.post("/api/v1/workspaces", json={"name": "Fjord\x00Café"}, headers=owner.headers())
    problem(nul, 422, "name")  # PostgreSQL text cannot hold NUL: refused as input, never a 500 from the driver


def test_members_roles_and_the_last_owner(client, live):
    owner = support.make_account(role="owner")
    base = f"/api/v1/workspaces/{owner.workspace_id}/members"
    email = f"admin-{owner.slug}@example.com"
    added = client.post(base, json={"email": email, "role": "admin"}, headers=owner.headers())
    assert added.status_code == 201, added.text
    assert added.json()["temporary_password"] and added.json()["role"] == "admin"
    admin_id = added.json()["user_id"]
    again = client.post(base, json={"email": f"admin-{owner.slug}@example.com"}, headers=owner.headers())
    problem(again, 409, "email")
    admin = token_for(owner, f"admin-{owner.slug}@example.com", "admin")
    problem(client.post(base, json={"email": f"o-{owner.slug}@example.com", "role": "owner"}, headers=admin), 403)
    problem(client.patch(f"{base}/{owner.user_id}", json={"role": "viewer"}, headers=admin), 403)
    ed = client.post(base, json={"email": f"ed-{owner.slug}@example.com", "role": "editor"}, headers=admin)
    assert ed.status_code == 201
    problem(client.patch(f"{base}/{owner.user_id}", json={"role": "admin"}, headers=owner.headers()), 422, "role")
    problem(client.delete(f"{base}/{owner.user_id}", headers=owner.headers()), 422, "role")
    r = client.patch(f"{base}/{admin_id}", json={"role": "owner"}, headers=owner.headers())
    assert r.status_code == 200 and r.json()["role"] == "owner"
    assert client.patch(f"{base}/{owner.user_id}", json={"role": "admin"}, headers=owner.headers()).status_code == 200
    people = client.get(base, headers=admin).json()
    assert [m["role"] for m in people["data"]] == ["owner", "admin", "editor"] and people["count"] == 3
    assert client.delete(f"{base}/{ed.json()['user_id']}", headers=admin).status_code == 204
    problem(client.get(f"{base}/{ed.json()['user_id']}", headers=admin), 404)
    problem(client.post(base, json={"email": "x@example.com", "rol": "admin"}, headers=admin), 422, "rol")


def test_api_tokens_are_made_listed_and_revoked(client, live):
    owner = support.make_account(role="owner")
    base = f"/api/v1/workspaces/{owner.workspace_id}/tokens"
    made = client.post(base, json={"name": "CI", "role": "editor"}, headers=owner.headers())
    assert made.status_code == 201, made.text
    secret = {"Authorization": f"Bearer {made.json()['token']}"}
    assert client.get("/api/v1/me", headers=secret).json()["role"] == "editor"
    problem(client.post(base, json={"name": "x", "role": "owner"}, headers=owner.headers()), 422, "role")
    problem(client.post(base, json={"name": "x", "role": "admin"}, headers=secret), 422, "role")
    listed = client.get(base, headers=owner.headers()).json()
    assert listed["count"] == 2 and all("token" not in t for t in listed["data"])
    email = f"ed-{owner.slug}@example.com"
    members = f"/api/v1/workspaces/{owner.workspace_id}/members"
    assert client.post(members, json={"email": email, "role": "editor"}, headers=owner.headers()).status_code == 201
    editor = token_for(owner, email, "editor")
    assert [t["name"] for t in client.get(base, headers=editor).json()["data"]] == ["t"]  # only the ones they made
    problem(client.delete(f"{base}/{made.json()['id']}", headers=editor), 403)
    problem(client.get(f"{base}/{made.json()['id']}", headers=editor), 404)
    assert client.delete(f"{base}/{made.json()['id']}", headers=owner.headers()).status_code == 204
    problem(client.get("/api/v1/me", headers=secret), 401)
    assert client.get(f"{base}/{made.json()['id']}", headers=owner.headers()).json()["revoked_at"]
