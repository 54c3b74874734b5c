"""Workspace, member and token rules of the gateway, on the test database and Redis."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
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


def _run_async(coro):
    # Playwright's sync API may hold the main thread's event loop: run in a thread of our own.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=60)


def _limiter(redis_url: str, **limits):
    import redis.asyncio as aioredis

    from gateway.signin_limit import Limits, SigninLimiter

    r = aioredis.from_url(redis_url, socket_connect_timeout=1)
    return r, SigninLimiter(r, Limits(**{"per_pair": 5, "per_account": 8, "per_address": 6, "window": 60, **limits}))


def _someone() -> tuple[str, str]:
    return f"rl-{secrets.token_hex(3)}@example.com", f"10.9.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def test_wrong_passwords_lock_the_attackers_address_out_of_the_account_not_its_owner(live):
    from kit.settings import common

    async def run():
        r, limiter = _limiter(common().redis_url)
        email, attacker = _someone()
        owner = "10.8.0.1"
        for _ in range(5):
            await limiter.check(email, attacker)
            await limiter.failed(email, attacker)
        with pytest.raises(RateLimited) as locked:
            await limiter.check(email, attacker)  # even with the right password: nothing is tried
        assert 0 < int(locked.value.headers["Retry-After"]) <= 60
        await limiter.check(email, owner)  # the owner, from their own address, still signs in
        await limiter.succeeded(email, owner)
        # Guesses spread over addresses meet the gentler account-wide limit (8 here) instead.
        for i in range(3):
            await limiter.failed(email, f"10.7.0.{i}")
        with pytest.raises(RateLimited):
            await limiter.check(email, owner)
        await r.aclose()

    _run_async(run())


def test_the_right_password_clears_its_own_failures_and_successes_never_count(live):
    from kit.settings import common

    async def run():
        r, limiter = _limiter(common().redis_url, per_account=20, per_address=10)
        email, office = _someone()
        for _ in range(4):
            await limiter.failed(email, office)
        await limiter.check(email, office)
        await limiter.succeeded(email, office)
        for _ in range(4):  # four more typos after a good sign-in are not the fifth, sixth … failure
            await limiter.failed(email, office)
        await limiter.check(email, office)
        # An office behind one address: 40 people sign in (successes), the address limit (10 failures) is not hit.
        for _ in range(40):
            colleague = f"rl-{secrets.token_hex(3)}@example.com"
            await limiter.check(colleague, office)
            await limiter.succeeded(colleague, office)
        # One machine trying many accounts meets the per-address limit of failures.
        _, sprayer = _someone()
        for _ in range(10):
            await limiter.failed(f"rl-{secrets.token_hex(3)}@example.com", sprayer)
        with pytest.raises(RateLimited):
            await limiter.check(f"rl-{secrets.token_hex(3)}@example.com", sprayer)
        await r.aclose()

    _run_async(run())


def test_sign_in_limits_are_kept_in_process_while_redis_is_unreachable(tmp_path, caplog):
    """Redis down (nothing listens on the socket): counting goes on in the process, and the log says so."""

    async def run():
        r, limiter = _limiter(f"unix://{tmp_path / 'nothing.sock'}")
        email, address = _someone()
        with caplog.at_level(logging.WARNING, logger="effekt.gateway.signin"):
            for _ in range(5):
                await limiter.check(email, address)
                await limiter.failed(email, address)
            with pytest.raises(RateLimited):
                await limiter.check(email, address)
            await limiter.check(email, "10.6.0.1")
        await r.aclose()

    _run_async(run())
    warnings = [rec.getMessage() for rec in caplog.records if rec.name == "effekt.gateway.signin"]
    assert len(warnings) == 1 and "counted in this process" in warnings[0]


def test_x_forwarded_for_is_believed_from_configured_proxies_only():
    from gateway.edge import client_behind, parse_networks

    proxies = parse_networks("10.0.0.0/8, 192.168.1.5")
    assert client_behind("203.0.113.9", "1.2.3.4", proxies) == "203.0.113.9"  # not a proxy: the header is ignored
    assert client_behind("192.168.1.5", "198.51.100.7", proxies) == "198.51.100.7"
    # A client that writes its own X-Forwarded-For gets it prepended to: the right-most untrusted hop is believed.
    assert client_behind("10.1.1.1", "6.6.6.6, 198.51.100.7, 10.2.2.2", proxies) == "198.51.100.7"
    assert client_behind("127.0.0.1", "6.6.6.6", parse_networks("")) == "127.0.0.1"


def test_forged_x_forwarded_for_does_not_escape_the_sign_in_lock(client, account):
    """The live gateway trusts no proxy by default: a client cannot pick a fresh address for each guess."""
    csrf = client.get("/signin").cookies["effekt_csrf"]

    def attempt(password: str, forged: str):
        return client.post(
            "/signin",
            data={"email": account.email, "password": password, "csrf_token": csrf, "next": "/"},
            headers={"X-Forwarded-For": forged, "X-Forwarded-Proto": "https"},
        )

    for i in range(5):
        assert attempt("wrong password", f"198.51.100.{i}").status_code == 422
    refused = attempt(account.password, "198.51.100.99")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "strict-transport-security" not in refused.headers  # the forged proto is not believed either
