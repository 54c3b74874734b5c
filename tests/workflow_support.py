"""Shared by the workflow API and browser tests: members in a workspace, tokens of a role, the blog post run."""

from __future__ import annotations

import secrets

from tests import support


def add_members(account: support.Account, names: list[str], role: str = "editor") -> dict[str, support.Account]:
    """New users who are members of the account's workspace, each with a token there; by first name."""
    from gateway import accounts, tokens, workspaces
    from gateway.models import ApiTokenCreate, UserCreate
    from kit.roles import Role

    def create(session):
        out = {}
        for name in names:
            email = f"{name.lower()}-{secrets.token_hex(3)}@example.com"
            user = accounts.create_user(
                session=session, data=UserCreate(email=email, name=name, password=support.PASSWORD)
            )
            workspaces.add_member(
                session=session, workspace_id=account.workspace_id, actor_role=Role.owner, email=email, role=Role(role)
            )
            _, raw = tokens.create_token(
                session=session,
                workspace_id=account.workspace_id,
                user_id=user.id,
                creator_role=Role.owner,
                data=ApiTokenCreate(name="test", role=Role(role)),
            )
            out[name] = support.Account(
                email=email,
                password=support.PASSWORD,
                user_id=user.id,
                workspace_id=account.workspace_id,
                slug=account.slug,
                token=raw,
            )
        return out

    return support.gateway_db(create)


def blog_roles(people: dict[str, support.Account]) -> dict[str, int]:
    """Six roles bound to four people, as in the seed's story."""
    a, b, c, d = (people[n].user_id for n in ("Anna", "Ben", "Cara", "Dan"))
    return {"content": a, "seo": b, "writer": c, "lead": a, "designer": d, "social": b}


def second_workspace(account: support.Account, name: str) -> support.Account:
    """Another workspace owned by the account's user, with an admin token there (the agency case)."""
    from gateway import tokens, workspaces
    from gateway.models import ApiTokenCreate, User, WorkspaceCreate
    from kit.roles import Role

    def create(session):
        user = session.get(User, account.user_id)
        ws = workspaces.create_workspace(session=session, data=WorkspaceCreate(name=name), owner=user)
        _, raw = tokens.create_token(
            session=session,
            workspace_id=ws.id,
            user_id=user.id,
            creator_role=Role.owner,
            data=ApiTokenCreate(name="test", role=Role.admin),
        )
        return support.Account(
            email=account.email,
            password=account.password,
            user_id=user.id,
            workspace_id=ws.id,
            slug=ws.slug,
            token=raw,
        )

    return support.gateway_db(create)


def blog_run_alone(base_url: str, account: support.Account, publish: str) -> tuple[dict, dict]:
    """The blog-post built-in added to the account's workspace and started: every role on the account's user but
    the outline's two approvers, two new members (an author may not approve their own work)."""
    import httpx

    approvers = add_members(account, ["Siri", "Leo"])

    with httpx.Client(base_url=base_url, headers=account.headers(), timeout=20) as c:
        wf = c.post("/api/v1/workflows/builtins/blog-post", json={"language": "en"})
        assert wf.status_code == 201, wf.text
        roles = {r["key"]: account.user_id for r in wf.json()["current"]["definition"]["roles"]}
        roles |= {"seo": approvers["Siri"].user_id, "lead": approvers["Leo"].user_id}
        body = {"template_id": wf.json()["id"], "anchors": {"publish": publish}, "roles": roles}
        run = c.post("/api/v1/workflow-runs", json=body)
        assert run.status_code == 201, run.text
    return wf.json(), run.json()
