"""Workspace, member and token rules of the gateway, on the test database and Redis."""

from __future__ import annotations

import asyncio
import concurrent.futures
import secrets
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from gateway import accounts, tokens, workspaces
from gateway.models import ApiTokenCreate, Membership, User, UserCreate, UserSession, WorkspaceCreate
from kit.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from kit.roles import Role
from tests import support


def test_last_owner_can_be_neither_removed_nor_demoted(live, account):
    def attempt(session):
        here = {"session": session, "workspace_id": account.workspace_id, "actor_role": Role.owner}
        with pytest.raises(Invalid) as removed:
            workspaces.remove_member(**here, user_id=account.user_id)
        with pytest.raises(Invalid):
            workspaces.change_role(**here, user_id=account.user_id, role=Role.admin)
        return removed.value.errors[0]["field"]

    assert support.gateway_db(attempt) == "role"


def test_admins_manage_members_but_only_owners_make_owners(live, account):
    def run(session):
        add = partial(workspaces.add_member, session=session, workspace_id=account.workspace_id)
        change = partial(workspaces.change_role, session=session, workspace_id=account.workspace_id)
        email = f"new-{secrets.token_hex(3)}@example.com"
        member, temporary = add(actor_role=Role.admin, email=email, role=Role.editor)
        assert temporary and len(temporary) >= 12  # a brand-new account gets a one-time password
        refused = [
            (Forbidden, partial(change, actor_role=Role.admin, user_id=member.user_id, role=Role.owner)),
            (Forbidden, partial(add, actor_role=Role.editor, email="x@example.com", role=Role.viewer)),
            (Conflict, partial(add, actor_role=Role.admin, email=member.email, role=Role.viewer)),
        ]
        for error, call in refused:
            with pytest.raises(error):
                call()
        change(actor_role=Role.owner, user_id=member.user_id, role=Role.owner)
        # Two owners now: the first may step down.
        change(actor_role=Role.owner, user_id=account.user_id, role=Role.admin)
        return [m.role for m in workspaces.members(session=session, workspace_id=account.workspace_id)]

    assert support.gateway_db(run) == [Role.owner, Role.admin]


def test_token_role_is_capped_by_creator_and_expiry_must_be_future(live, account):
    def run(session):
        create = partial(
            tokens.create_token, session=session, workspace_id=account.workspace_id, user_id=account.user_id
        )
        past = datetime.now(UTC) - timedelta(days=1)
        for creator, data, field in (
            (Role.editor, ApiTokenCreate(name="x", role=Role.admin), "role"),
            (Role.owner, ApiTokenCreate(name="x", expires_at=past), "expires_at"),
        ):
            with pytest.raises(Invalid) as refused:
                create(creator_role=creator, data=data)
            assert refused.value.errors[0]["field"] == field

    support.gateway_db(run)


def test_only_a_tokens_creator_or_an_admin_revokes_it(live, account):
    def run(session):
        other = accounts.create_user(
            session=session, data=UserCreate(email=f"o-{secrets.token_hex(3)}@example.com", password="x" * 12)
        )
        session.add(Membership(workspace_id=account.workspace_id, user_id=other.id, role=Role.editor))
        token, _ = tokens.create_token(
            session=session,
            workspace_id=account.workspace_id,
            user_id=account.user_id,
            creator_role=Role.owner,
            data=ApiTokenCreate(name="script", role=Role.viewer),
        )
        scope = {"session": session, "workspace_id": account.workspace_id, "token_id": token.id}
        with pytest.raises(Forbidden):
            tokens.revoke_token(**scope, actor_id=other.id, actor_role=Role.editor)
        with pytest.raises(NotFound):
            tokens.revoke_token(
                **{**scope, "workspace_id": account.workspace_id + 10_000},
                actor_id=account.user_id,
                actor_role=Role.owner,
            )
        assert token.revoked_at is None
        assert tokens.revoke_token(**scope, actor_id=other.id, actor_role=Role.admin).revoked_at is not None
        assert tokens.revoke_token(**scope, actor_id=account.user_id, actor_role=Role.viewer).revoked_at is not None

    support.gateway_db(run)


def test_a_new_or_switched_workspace_becomes_the_sessions_current_one(live, account):
    def run(session):
        user = session.get(User, account.user_id)
        raw = workspaces.open_session(session=session, user=user, days=1)
        user_session, _ = accounts.load_session(session=session, raw=raw)
        created = workspaces.create_current_workspace(
            session=session, data=WorkspaceCreate(name="Second Co"), user_id=user.id, session_id=user_session.id
        )
        assert session.get(UserSession, user_session.id).workspace_id == created.id
        workspaces.switch_workspace(session=session, session_id=user_session.id, user_id=user.id, slug=account.slug)
        assert session.get(UserSession, user_session.id).workspace_id == account.workspace_id
        with pytest.raises(NotFound):
            workspaces.switch_workspace(session=session, session_id=user_session.id, user_id=user.id, slug="nobody-s")

    support.gateway_db(run)


def test_a_token_loses_power_when_its_creator_does(client, live):
    editor_token = support.make_account(role="editor")

    def demote(session):
        other = accounts.create_user(
            session=session, data=UserCreate(email=f"o-{secrets.token_hex(3)}@example.com", password="x" * 12)
        )
        session.add(Membership(workspace_id=editor_token.workspace_id, user_id=other.id, role=Role.owner))
        session.flush()
        workspaces.change_role(
            session=session,
            workspace_id=editor_token.workspace_id,
            actor_role=Role.owner,
            user_id=editor_token.user_id,
            role=Role.viewer,
        )

    assert client.get("/api/v1/me", headers=editor_token.headers()).json()["role"] == "editor"
    support.gateway_db(demote)
    assert client.get("/api/v1/me", headers=editor_token.headers()).json()["role"] == "viewer"


def test_slugs_are_readable_and_unique(live, account):
    assert workspaces.slugify("Fjord Café & Ærø AS") == "fjord-cafe-aero-as"

    def run(session):
        owner = session.get(User, account.user_id)
        a = workspaces.create_workspace(session=session, data=WorkspaceCreate(name="Same Name Ltd"), owner=owner)
        b = workspaces.create_workspace(session=session, data=WorkspaceCreate(name="Same Name Ltd"), owner=owner)
        with pytest.raises(Conflict):
            workspaces.create_workspace(session=session, data=WorkspaceCreate(name="X", slug=a.slug), owner=owner)
        return a.slug, b.slug

    first, second = support.gateway_db(run)
    assert first != second and second.startswith(first)


def test_signin_limit_per_account_and_per_address(live):
    import redis.asyncio as aioredis

    from kit.settings import common

    async def run():
        r = aioredis.from_url(common().redis_url)
        limiter = accounts.SigninLimiter(r, per_account=3, per_address=5, window=60)
        email, address = (
            f"rl-{secrets.token_hex(3)}@example.com",
            f"10.9.{secrets.randbelow(250)}.{secrets.randbelow(250)}",
        )
        for _ in range(3):
            await limiter.check(email, address)
            await limiter.failed(email, address)
        with pytest.raises(RateLimited) as account_limited:
            await limiter.check(email, address)
        assert int(account_limited.value.headers["Retry-After"]) > 0
        other = f"rl-{secrets.token_hex(3)}@example.com"
        with pytest.raises(RateLimited):  # the 5th attempt from the address was the one above; more are refused
            for _ in range(5):
                await limiter.check(other, address)
        await r.aclose()

    # Playwright's sync API may hold the main thread's event loop: run in a thread of our own.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result(timeout=60)
