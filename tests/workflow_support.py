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
