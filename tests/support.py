"""Test support: a live stack on loopback (real HTTP, real Redis, real databases) and record factories."""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

from effekt.registry import ROLES

PASSWORD = "correct horse battery staple"


def configure_environment(data_dir: str) -> list[str]:
    """Point every part at the test databases and Redis; returns PostgreSQL databases to drop afterwards."""
    os.environ["EFFEKT_DATA_DIR"] = data_dir
    os.environ.setdefault("EFFEKT_GATEWAY_SIGNIN_ADDRESS_LIMIT", "100000")
    os.environ.setdefault("EFFEKT_GATEWAY_TOKEN_CACHE_SECONDS", "0")  # revocation is seen at once
    os.environ.setdefault("EFFEKT_GATEWAY_API_RATE_LIMIT", "0")  # the rate-limit tests set their own
    os.environ["EFFEKT_LOG_JSON"] = "false"
    os.environ.setdefault("EFFEKT_OUTBOUND_ALLOW", "loopback")  # recorded vendors and receivers run on 127.0.0.1
    redis_url = os.environ.get("EFFEKT_TEST_REDIS_URL")
    if redis_url:
        os.environ["REDIS_URL"] = _worker_redis(redis_url)
    else:
        os.environ.pop("REDIS_URL", None)
    created = []
    server = os.environ.get("EFFEKT_TEST_DATABASE_URL")
    if server:
        import psycopg

        run = uuid.uuid4().hex[:8]
        with psycopg.connect(server, autocommit=True) as conn:
            for part in ROLES:
                name = f"effekt_test_{run}_{part}"
                conn.execute(f'CREATE DATABASE "{name}"')
                created.append(name)
                os.environ[f"EFFEKT_{part.upper()}_DATABASE_URL"] = _with_database(server, name)
    _clear_caches()
    return created


def _worker_redis(url: str) -> str:
    """Under pytest-xdist each worker runs its own stack: give it a Redis database of its own (gw0 → 1, gw1 → 2 …),
    so one stack's workers never take another's jobs."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{1 + int(worker[2:]) % 15}", parts.query, parts.fragment))


def drop_databases(names: list[str]) -> None:
    server = os.environ.get("EFFEKT_TEST_DATABASE_URL")
    if not server or not names:
        return
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _clear_caches() -> None:
    from effekt.registry import PARTS
    from kit.settings import common

    common.cache_clear()
    for part in PARTS.values():
        part.module("config").settings.cache_clear()


class LiveStack:
    """Gateway, UI, services and workers on ephemeral loopback ports, in a thread with its own event loop."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="live-stack", daemon=True)
        self.stack = None
        self.base_url = ""
        self.service_urls: dict[str, str] = {}

    def start(self) -> LiveStack:
        from effekt import bootstrap, runner
        from kit.embedded_redis import ensure_redis_url

        redis_url = ensure_redis_url()
        gateway_socket = runner.bind("127.0.0.1", 0)
        service_sockets = runner.publish_service_ports("127.0.0.1", gateway_socket)
        _clear_caches()
        bootstrap.migrate()
        self.base_url = f"http://127.0.0.1:{gateway_socket.getsockname()[1]}"
        self.service_urls = {n: f"http://127.0.0.1:{s.getsockname()[1]}" for n, s in service_sockets.items()}
        self.stack = runner.Stack(gateway_socket, service_sockets, redis_url)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.stack.start(), self.loop).result(timeout=60)
        return self

    def stop(self) -> None:
        if self.stack is not None:
            asyncio.run_coroutine_threadsafe(self.stack.stop(), self.loop).result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    def server(self, name: str):
        return self.stack.servers[name]

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=20, **kw)


@dataclass
class Account:
    """A user with a workspace of their own and an API token in it."""

    email: str
    password: str
    user_id: int
    workspace_id: int
    slug: str
    token: str = ""
    extra: dict = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def gateway_db(fn):
    """Run fn(session) against the gateway database in one transaction."""
    from effekt.registry import PARTS
    from kit.db import in_session, make_engine

    engine = make_engine(PARTS["gateway"].database_url())
    try:
        return in_session(engine, fn)
    finally:
        engine.dispose()


def viewer_headers(account: Account) -> dict[str, str]:
    """The headers of a viewer's API token in the account's own workspace."""
    from gateway import tokens
    from gateway.models import ApiTokenCreate
    from kit.roles import Role

    def create(session):
        _, raw = tokens.create_token(
            session=session,
            workspace_id=account.workspace_id,
            user_id=account.user_id,
            creator_role=Role.owner,
            data=ApiTokenCreate(name="viewer", role=Role.viewer),
        )
        return raw

    return {"Authorization": f"Bearer {gateway_db(create)}"}


def make_account(*, role: str = "admin", name: str = "Test Co") -> Account:
    """A new user owning a new workspace, and a token of `role` there."""
    from gateway import accounts, tokens, workspaces
    from gateway.models import ApiTokenCreate, UserCreate, WorkspaceCreate
    from kit.roles import Role

    tag = secrets.token_hex(4)
    email = f"user-{tag}@example.com"

    def create(session):
        user = accounts.create_user(
            session=session, data=UserCreate(email=email, name=f"User {tag}", password=PASSWORD)
        )
        ws = workspaces.create_workspace(session=session, data=WorkspaceCreate(name=f"{name} {tag}"), owner=user)
        _, raw = tokens.create_token(
            session=session,
            workspace_id=ws.id,
            user_id=user.id,
            creator_role=Role.owner,
            data=ApiTokenCreate(name="test", role=Role(role)),
        )
        return Account(email=email, password=PASSWORD, user_id=user.id, workspace_id=ws.id, slug=ws.slug, token=raw)

    return gateway_db(create)


def stop_service(live: LiveStack, name: str) -> None:
    asyncio.run_coroutine_threadsafe(live.stack.stop_server(name), live.loop).result(timeout=30)


def start_service(live: LiveStack, name: str) -> None:
    """Serve the part again on the port it had."""
    from effekt import runner

    port = int(live.service_urls[name].rsplit(":", 1)[1])
    sock = runner.bind("127.0.0.1", port)

    async def start():
        live.stack.start_server(name, sock)
        while not live.stack.servers[name].started:
            await asyncio.sleep(0.02)

    asyncio.run_coroutine_threadsafe(start(), live.loop).result(timeout=30)


def screenshot_dir() -> str:
    """Where browser tests leave screenshots to look at (EFFEKT_SCREENSHOTS, else the temp dir)."""
    import tempfile

    path = os.environ.get("EFFEKT_SCREENSHOTS") or os.path.join(tempfile.gettempdir(), "effekt-screenshots")
    os.makedirs(path, exist_ok=True)
    return path
