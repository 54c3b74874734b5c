"""The `effekt` command."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer

from effekt.registry import ROLES, SERVICES

T = TypeVar("T")


class DemoLanguage(enum.StrEnum):
    """The UI's languages, for the demo company (kit.demo_language)."""

    en = "en"
    nb = "nb"
    sv = "sv"
    fi = "fi"


app = typer.Typer(
    help="Effekt: goal-driven active management of websites and digital services.",
    no_args_is_help=True,
    add_completion=False,
)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
workspace_app = typer.Typer(help="Manage workspaces.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(workspace_app, name="workspace")
app.add_typer(token_app, name="token")


# The parts and services by name, for the arguments' choices (the registry is the one list).
PartName = StrEnum("PartName", [(name, name) for name in ROLES])
ServiceName = StrEnum("ServiceName", [(name, name) for name in SERVICES])


class TokenRole(StrEnum):
    viewer = "viewer"
    editor = "editor"
    admin = "admin"


DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where SQLite files and the embedded Redis live (default: EFFEKT_DATA_DIR, else a per-user data folder).",
    ),
]


def _use_data_dir(data_dir: Path | None) -> Path:
    """Publish the data dir to every part of this process through the environment."""
    from kit.settings import common

    if data_dir is not None:
        os.environ["EFFEKT_DATA_DIR"] = str(data_dir.expanduser().resolve())
    common.cache_clear()
    path = common().data_dir
    path.mkdir(parents=True, exist_ok=True)
    return path


def _logging(service: str, *, as_json: bool | None = None) -> None:
    from kit.observability import configure_logging
    from kit.settings import common

    settings = common()
    configure_logging(service, settings.log_level, settings.log_json if as_json is None else as_json)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


@app.command()
def up(
    port: Annotated[int, typer.Option(help="Port of the web UI and API.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    data_dir: DataDir = None,
    lang: Annotated[
        DemoLanguage | None,
        typer.Option(help="Language of the demo company, made on first start (default: EFFEKT_DEMO_LANGUAGE or en)."),
    ] = None,
) -> None:
    """Run everything on this machine: gateway, UI, the three services and their workers, with demo data."""
    if lang is not None:
        os.environ["EFFEKT_DEMO_LANGUAGE"] = lang.value
    # SIGTERM before the stack serves (while migrating or seeding, which a loaded machine makes long) must still
    # run the `finally` below: by default it would end the process there and then, leaving Redis behind.
    signal.signal(signal.SIGTERM, _interrupt)
    started = time.perf_counter()
    # one machine: a self-hosted Matomo or a webhook receiver beside it on localhost is what a trial looks like
    os.environ.setdefault("EFFEKT_OUTBOUND_ALLOW", "loopback")
    # one process: the hop from the gateway to a service takes the same event loop and interpreter as the service's
    # own work, so more requests in flight keep a service busy (bench/load.py: 8 served 37 % more than 4 here, and
    # evened waits out as well; per service, in processes of their own, 4 did better)
    os.environ.setdefault("EFFEKT_GATEWAY_UPSTREAM_CONCURRENCY", "8")
    path = _use_data_dir(data_dir)
    _logging("effekt", as_json=False)
    logging.getLogger().setLevel(logging.WARNING)
    from effekt import bootstrap, runner
    from kit.embedded_redis import ensure_redis_url
    from kit.embedded_redis import stop as stop_redis

    try:
        gateway_socket = runner.bind(host, port)
    except OSError as exc:
        typer.secho(f"Port {port} on {host} is in use ({exc.strerror}). Try --port {port + 10}.", fg="red", err=True)
        raise typer.Exit(1) from None
    try:
        redis_url = ensure_redis_url(owned=True)
        service_sockets = runner.publish_service_ports(host, gateway_socket)
        bootstrap.migrate()
        login = bootstrap.seed_demo(path)
        stack = runner.Stack(gateway_socket, service_sockets, redis_url)

        def ready() -> None:
            shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
            typer.secho(
                f"\nEffekt is running at http://{shown}:{port}  (ready in {time.perf_counter() - started:.1f} s)",
                fg="green",
                bold=True,
            )
            typer.echo(f"  Sign in as {login.email}  password: {login.password}")
            typer.echo(f"  API docs: http://{shown}:{port}/api/docs")
            typer.echo(f"  Data: {path}")
            typer.echo("  Press Ctrl-C to stop.\n")

        asyncio.run(runner.serve_until_stopped(stack, on_ready=ready))
    except KeyboardInterrupt:
        pass
    finally:
        # Stopping now: a second Ctrl-C or SIGTERM must not cut short the stop of the embedded Redis.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_redis(force=True)
    typer.echo("Effekt stopped.")


@app.command()
def serve(
    role: Annotated[PartName, typer.Argument(help="Which part to serve.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None, typer.Option(help="Port (default: gateway 8000, goals 8001, tasks 8002, metrics 8003).")
    ] = None,
    migrate: Annotated[bool, typer.Option("--migrate/--no-migrate", help="Migrate its database first.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Serve one part on its own, configured from the environment (per-service deployment)."""
    import uvicorn

    from effekt import bootstrap
    from effekt.registry import DEFAULT_PORTS, KEEP_ALIVE_SECONDS, PARTS

    _use_data_dir(data_dir)
    _logging(role.value)
    if migrate:
        bootstrap.migrate((role.value,))
    # uvicorn re-raises SIGTERM after its graceful shutdown; exit normally then, so atexit work
    # (leaving the embedded Redis) still runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        PARTS[role.value].create_app(),
        host=host,
        port=port or DEFAULT_PORTS[role.value],
        log_config=None,
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        proxy_headers=False,  # the gateway trusts X-Forwarded-* from EFFEKT_GATEWAY_TRUSTED_PROXIES only
        timeout_graceful_shutdown=10,
    )


@app.command()
def worker(
    service: Annotated[ServiceName, typer.Argument(help="Whose queue to work.")], data_dir: DataDir = None
) -> None:
    """Run one service's arq worker: its jobs and scheduled cycles; it waits out Redis outages."""
    from effekt.registry import PARTS
    from kit.embedded_redis import ensure_redis_url

    # SIGTERM before the loop's handler is in place (a loaded machine makes starting long) must still run atexit,
    # which stops an embedded Redis this worker started; by default it would end the process and leave it behind.
    signal.signal(signal.SIGTERM, _interrupt)
    _use_data_dir(data_dir)
    _logging(f"{service.value}-worker")
    try:
        settings = PARTS[service.value].worker_settings(ensure_redis_url())
        asyncio.run(_work_until_stopped(settings, service.value))
    except KeyboardInterrupt:
        pass
    finally:  # leaving the embedded Redis (atexit) must not be cut short by a second signal
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)


async def _work_until_stopped(settings: dict, name: str) -> None:
    """The worker, restarted with back-off whenever Redis goes away, until SIGINT or SIGTERM."""
    from kit.queue import run_worker

    task = asyncio.create_task(run_worker(settings, name=name))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


@app.command()
def migrate(
    part: Annotated[PartName | None, typer.Argument(help="One part; all when left out.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Run the Alembic migrations of one part or of all."""
    from effekt import bootstrap
    from effekt.registry import ROLES

    _use_data_dir(data_dir)
    names = (part.value,) if part else ROLES
    bootstrap.migrate(names)
    typer.echo(f"migrated: {', '.join(names)}")


@app.command(hidden=True)
def revision(
    part: PartName, message: Annotated[str, typer.Option("-m", "--message")], data_dir: DataDir = None
) -> None:
    """Generate a migration from the models (developers)."""
    from effekt import bootstrap
    from effekt.registry import PARTS
    from kit import migrations

    _use_data_dir(data_dir)
    bootstrap.migrate((part.value,))
    migrations.revision(PARTS[part.value].service_dir, PARTS[part.value].database_url(), message)


def _gateway_session():
    from effekt import bootstrap
    from effekt.registry import PARTS
    from kit.db import make_engine

    bootstrap.migrate(("gateway",))
    return make_engine(PARTS["gateway"].database_url())


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(2)


def _in_gateway(create: Callable[..., T], *, email: str | None = None, missing: str = "") -> T:
    """Run `create(session)` in one gateway transaction, or `create(session, user)` for the user with `email`;
    a missing user, an invalid value or a refused rule is one error line and exit code 2."""
    from pydantic import ValidationError

    from gateway import accounts
    from kit.db import in_session
    from kit.errors import Problem

    def run(session):
        if email is None:
            return create(session)
        user = accounts.get_user_by_email(session=session, email=email)
        if user is None:
            _fail(missing)
        return create(session, user)

    try:
        return in_session(_gateway_session(), run)
    except ValidationError as exc:
        _fail(f"{exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    except Problem as exc:
        _fail(exc.detail or exc.title)


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="The user's email.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Create a user account."""
    from gateway import accounts
    from gateway.models import UserCreate

    _use_data_dir(data_dir)
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    user = _in_gateway(
        lambda s: accounts.create_user(session=s, data=UserCreate(email=email, name=name, password=password))
    )
    typer.echo(f"created user {user.email} (id {user.id})")


@workspace_app.command("create")
def workspace_create(
    name: Annotated[str, typer.Option(help="The workspace's name.")],
    owner: Annotated[str, typer.Option(help="Email of its first owner.")],
    slug: Annotated[str | None, typer.Option(help="URL name (default: from the name).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Create a workspace with an owner."""
    from gateway import workspaces
    from gateway.models import WorkspaceCreate

    _use_data_dir(data_dir)
    workspace = _in_gateway(
        lambda s, user: workspaces.create_workspace(session=s, data=WorkspaceCreate(name=name, slug=slug), owner=user),
        email=owner,
        missing=f"no user {owner}; create one with `effekt user create`",
    )
    typer.echo(f"created workspace {workspace.name} (slug {workspace.slug})")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="The user the token acts for.")],
    workspace: Annotated[str, typer.Option(help="Slug of the workspace it is bound to.")],
    role: Annotated[TokenRole, typer.Option(help="Its role, at most the user's own.")] = TokenRole.viewer,
    name: Annotated[str, typer.Option(help="A name to recognise it by.")] = "cli",
    data_dir: DataDir = None,
) -> None:
    """Create an API token; the token is printed alone on the last line, once."""
    from gateway import tokens, workspaces
    from gateway.models import ApiTokenCreate
    from kit.roles import Role

    _use_data_dir(data_dir)

    def create(session, user):
        ws, my_role = workspaces.workspace_for_user(session=session, user_id=user.id, slug=workspace)
        return tokens.create_token(
            session=session,
            workspace_id=ws.id,
            user_id=user.id,
            creator_role=my_role,
            data=ApiTokenCreate(name=name, role=Role(role.value)),
        )

    token, raw = _in_gateway(create, email=email, missing=f"no user {email}")
    typer.echo(f"token {token.name!r} for {email} in {workspace} with role {token.role.value}; it is shown once:")
    typer.echo(raw)
