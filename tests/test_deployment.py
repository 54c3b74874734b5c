"""The deployment files agree with the code.

compose.yaml and the Dockerfile name `effekt` commands and environment variables as plain strings; nothing
else would notice a renamed option or a misspelt setting until a container failed (or, worse, silently
ignored it: every settings class has extra="ignore"). Here each command is parsed by the real click
command tree without running it, and each variable is looked up among the names the pydantic-settings
classes of the parts that command runs actually read.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import typer
import yaml
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from effekt import cli
from effekt.registry import DEFAULT_PORTS, PARTS, ROLES
from kit.settings import CommonSettings

try:  # typer >= 0.20 carries its own copy of click; the `click` package is not the one its commands use
    from typer._click import exceptions as click_errors
except ImportError:
    from click import exceptions as click_errors

CommandError = (click_errors.ClickException, typer.Exit)  # usage errors, and --help's early exit
ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
POSTGRES_INIT = ROOT / "deploy" / "postgres-init.sql"
HEALTH_PATHS = ("/readyz", "/healthz")
INTERPOLATION = re.compile(r"\$\{[^}]*\}")


# --- reading the code ---------------------------------------------------------------------------------------


def settings_env_names(cls: type[BaseSettings]) -> set[str]:
    """The environment variables a pydantic-settings class reads: prefix + field name, or its aliases."""
    prefix = cls.model_config.get("env_prefix", "")
    names: set[str] = set()
    for name, field in cls.model_fields.items():
        alias = field.validation_alias or field.alias
        if isinstance(alias, AliasChoices):
            names |= {choice for choice in alias.choices if isinstance(choice, str)}
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(prefix + name)
    if cls.model_config.get("case_sensitive", False):
        return names
    return {n.upper() for n in names}


def part_settings(part: str) -> list[type[BaseSettings]]:
    """The settings classes defined in one part's config module."""
    module = PARTS[part].module("config")
    return [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, BaseSettings) and obj.__module__ == module.__name__
    ]


def accepted_env(parts: tuple[str, ...]) -> set[str]:
    """What a process running these parts reads: the common settings and each part's own."""
    names = settings_env_names(CommonSettings)
    for part in parts:
        for cls in part_settings(part):
            names |= settings_env_names(cls)
    return names


def parse_command(args: list[str]) -> tuple[tuple[str, ...], dict]:
    """Parse `effekt ARGS` down to the leaf command, without running it: (command path, its params).

    Raises click's UsageError for unknown commands, options, invalid choices and missing arguments."""
    command = typer.main.get_command(cli.app)
    ctx = command.make_context("effekt", list(args))
    path: list[str] = []
    while hasattr(command, "resolve_command"):  # a group: descend into the subcommand
        rest = [*getattr(ctx, "_protected_args", []), *ctx.args]  # click < 9 keeps the subcommand apart
        name, sub, rest = command.resolve_command(ctx, rest)
        path.append(name)
        command = sub
        ctx = sub.make_context(name, rest, parent=ctx)
    params = {k: getattr(v, "value", v) for k, v in ctx.params.items()}
    return tuple(path), params


def parts_run_by(path: tuple[str, ...], params: dict) -> tuple[str, ...] | None:
    """Which parts' settings a command reads (None: this test does not know the command)."""
    top = path[0]
    if top == "serve":
        return (params["role"],)
    if top == "worker":
        return (params["service"],)
    if top in ("migrate", "revision"):
        return (params["part"],) if params.get("part") else ROLES
    if top == "up":
        return ROLES
    if top in ("user", "workspace", "token"):
        return ("gateway",)
    return None


# --- reading the deployment files ---------------------------------------------------------------------------


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def uses_effekt_image(service: dict) -> bool:
    return "build" in service or str(service.get("image", "")).startswith("effekt")


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "- KEY=value" form
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def healthcheck_text(service: dict) -> str:
    check = service.get("healthcheck") or {}
    if check.get("disable"):
        return ""
    test = check.get("test") or ""
    return " ".join(test) if isinstance(test, list) else str(test)


def serve_port(params: dict) -> int:
    return params["port"] or DEFAULT_PORTS[params["role"]]


def compose_problems(compose: dict) -> list[str]:
    """Everything wrong with a compose file, as messages (empty when it agrees with the code)."""
    problems: list[str] = []
    services = compose.get("services") or {}
    parsed: dict[str, tuple[tuple[str, ...], dict]] = {}
    for name, svc in services.items():
        if not uses_effekt_image(svc):
            continue
        command = svc.get("command")
        if not isinstance(command, list) or not command:
            problems.append(f"{name}: command must be a non-empty list of `effekt` arguments")
            continue
        try:
            parsed[name] = parse_command([str(a) for a in command])
        except CommandError as exc:
            problems.append(
                f"{name}: `effekt {' '.join(map(str, command))}` is not a valid command: "
                f"{getattr(exc, 'message', exc) or type(exc).__name__}"
            )
    for name, (path, params) in parsed.items():
        svc = services[name]
        parts = parts_run_by(path, params)
        if parts is None:
            problems.append(f"{name}: tests/test_deployment.py does not know which settings `{' '.join(path)}` reads")
            continue
        allowed = accepted_env(parts)
        for key in environment(svc):
            if key.upper() not in allowed:
                problems.append(f"{name}: {key} is read by none of the settings of {', '.join(parts)}")
        if path == ("serve",):
            problems += serve_problems(name, svc, params)
    problems += url_problems(services, parsed)
    problems += depends_on_problems(services)
    return problems


def serve_problems(name: str, svc: dict, params: dict) -> list[str]:
    problems = []
    port = serve_port(params)
    if params["host"] != "0.0.0.0":
        problems.append(f"{name}: serves on {params['host']}, unreachable from other containers (use --host 0.0.0.0)")
    check = healthcheck_text(svc)
    if not any(f"{host}:{port}{path}" in check for host in ("127.0.0.1", "localhost") for path in HEALTH_PATHS):
        problems.append(f"{name}: serves on port {port} but has no healthcheck on 127.0.0.1:{port}/readyz or /healthz")
    return problems


def url_problems(services: dict, parsed: dict) -> list[str]:
    """Upstream URLs point at the compose service serving that part on that port; database URLs at its database."""
    problems = []
    serving = {
        params["role"]: (name, serve_port(params)) for name, (path, params) in parsed.items() if path == ("serve",)
    }
    for name in parsed:
        for key, value in environment(services[name]).items():
            upstream = re.fullmatch(r"EFFEKT_GATEWAY_(\w+)_URL", key)
            if upstream and upstream[1].lower() in serving:
                want = "http://{}:{}".format(*serving[upstream[1].lower()])
                if value.rstrip("/") != want:
                    problems.append(f"{name}: {key}={value}, but {upstream[1].lower()} is served at {want}")
            database = re.fullmatch(r"EFFEKT_(\w+)_DATABASE_URL", key)
            if database:
                url = urlsplit(INTERPOLATION.sub("x", value))
                if url.hostname not in services or url.path != f"/{database[1].lower()}":
                    problems.append(
                        f"{name}: {key} should name database {database[1].lower()} on a compose "
                        f"service, not {url.hostname}{url.path}"
                    )
    return problems


def depends_on_problems(services: dict) -> list[str]:
    problems = []
    for name, svc in services.items():
        depends = svc.get("depends_on") or {}
        for dep, cond in ({dep: {} for dep in depends} if isinstance(depends, list) else depends).items():
            if dep not in services:
                problems.append(f"{name}: depends on {dep}, which is not a service")
            elif (cond or {}).get("condition") == "service_healthy" and not healthcheck_text(services[dep]):
                problems.append(f"{name}: waits for {dep} to be healthy, but {dep} has no healthcheck")
    return problems


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions, (KEYWORD, rest), grouped by stage."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append((keyword.upper(), rest.strip()))
    return stages


def instruction(stage: list[tuple[str, str]], keyword: str) -> str | None:
    found = [rest for kw, rest in stage if kw == keyword]
    return found[-1] if found else None


# --- tests ----------------------------------------------------------------------------------------------------


def test_settings_names_are_derived_from_the_code():
    common = settings_env_names(CommonSettings)
    assert {"EFFEKT_DATA_DIR", "REDIS_URL", "EFFEKT_REDIS_URL", "EFFEKT_SIGNING_KEY", "EFFEKT_LOG_LEVEL"} <= common
    assert {"EFFEKT_GATEWAY_DATABASE_URL", "EFFEKT_GATEWAY_GOALS_URL"} <= accepted_env(("gateway",))
    for service in ("goals", "tasks", "metrics"):
        names = accepted_env((service,))
        assert f"EFFEKT_{service.upper()}_DATABASE_URL" in names
        assert "EFFEKT_GATEWAY_DATABASE_URL" not in names


def test_the_command_parser_accepts_real_commands_and_refuses_others():
    assert parse_command(["serve", "goals", "--port", "8001"]) == (
        ("serve",),
        {"role": "goals", "host": "127.0.0.1", "port": 8001, "migrate": False, "data_dir": None},
    )
    assert parse_command(["token", "create", "--email", "a@b.c", "--workspace", "w"])[0] == ("token", "create")
    for bad in (
        ["serve", "goal"],
        ["serve", "goals", "--prot", "1"],
        ["worker", "gateway"],
        ["wroker", "goals"],
        ["serve"],
        ["serve", "goals", "extra"],
        [],
    ):
        with pytest.raises(click_errors.UsageError):
            parse_command(bad)


def test_compose_runs_every_part_with_its_backing_services():
    services = load_compose()["services"]
    assert {
        "postgres",
        "redis",
        "gateway",
        "goals",
        "tasks",
        "metrics",
        "worker-goals",
        "worker-tasks",
        "worker-metrics",
    } <= set(services)
    commands = {tuple(map(str, svc["command"][:2])) for svc in services.values() if uses_effekt_image(svc)}
    assert {("serve", role) for role in ROLES} | {("worker", s) for s in ("goals", "tasks", "metrics")} <= commands
    images = {svc["image"] for svc in services.values() if uses_effekt_image(svc)}
    assert len(images) == 1, f"one image for every part, not {images}"
    assert [p.split(":")[-1] for p in services["gateway"]["ports"]] == ["8000"]
    published = [name for name, svc in services.items() if svc.get("ports")]
    assert published == ["gateway"], "only the gateway is a public entry"


def test_compose_agrees_with_the_code():
    assert compose_problems(load_compose()) == []


def test_servers_get_the_required_signing_key_and_workers_do_not():
    services = load_compose()["services"]
    for name, svc in services.items():
        if not uses_effekt_image(svc):
            continue
        env = environment(svc)
        if svc["command"][0] == "serve":
            assert env.get("EFFEKT_SIGNING_KEY") == "${EFFEKT_SIGNING_KEY:?set a long random key}", name
        else:
            assert "EFFEKT_SIGNING_KEY" not in env, name
        assert env.get("REDIS_URL", "").startswith("redis://redis:"), name


def test_the_checker_catches_bogus_commands_and_variables():
    compose = load_compose()
    broken = copy.deepcopy(compose)
    svc = broken["services"]
    svc["goals"]["environment"]["EFFEKT_GOALS_DATABSE_URL"] = "postgresql://x@postgres/goals"  # misspelt
    svc["worker-tasks"]["environment"]["EFFEKT_GATEWAY_GOALS_URL"] = "http://goals:8001"  # not read by a worker
    svc["worker-metrics"]["command"] = ["worker", "gateway"]  # not a choice
    svc["tasks"]["command"] = ["serve", "tasks", "--prot", "8002"]  # no such option
    svc["metrics"]["command"] = ["serve", "metrics", "--port", "8013"]  # loopback only; health probes 8003
    svc["gateway"]["environment"]["EFFEKT_GATEWAY_GOALS_URL"] = "http://goals:9999"
    svc["gateway"]["depends_on"]["nowhere"] = {"condition": "service_started"}
    problems = "\n".join(compose_problems(broken))
    for expected in (
        "goals: EFFEKT_GOALS_DATABSE_URL",
        "worker-tasks: EFFEKT_GATEWAY_GOALS_URL",
        "worker-metrics: `effekt worker gateway` is not a valid command",
        "tasks: `effekt serve tasks --prot 8002` is not a valid command",
        "metrics: serves on 127.0.0.1",
        "metrics: serves on port 8013 but has no healthcheck",
        "gateway: EFFEKT_GATEWAY_GOALS_URL=http://goals:9999",
        "gateway: depends on nowhere",
    ):
        assert expected in problems, f"{expected!r} not reported in:\n{problems}"
    assert compose_problems(compose) == [], "the original is untouched"


def test_every_server_is_health_checked_and_waited_for():
    services = load_compose()["services"]
    for name, svc in services.items():
        if uses_effekt_image(svc) and svc["command"][0] == "serve":
            assert svc["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    for dep, cond in services["gateway"]["depends_on"].items():
        assert cond["condition"] == "service_healthy", dep
    for service in ("goals", "tasks", "metrics"):
        assert services[f"worker-{service}"]["depends_on"][service]["condition"] == "service_healthy"


def test_postgres_creates_one_database_per_part():
    compose = load_compose()
    created = set(re.findall(r"CREATE DATABASE (\w+)", POSTGRES_INIT.read_text(), flags=re.IGNORECASE))
    assert created == set(ROLES)
    mounts = compose["services"]["postgres"]["volumes"]
    assert any(m.startswith("./deploy/postgres-init.sql:/docker-entrypoint-initdb.d/") for m in mounts)
    urls = {key for svc in compose["services"].values() for key in environment(svc) if key.endswith("_DATABASE_URL")}
    assert urls == {f"EFFEKT_{part.upper()}_DATABASE_URL" for part in ROLES}


def test_dockerfile_builds_one_image_that_runs_effekt():
    stages = dockerfile_stages()
    final = stages[-1]
    assert instruction(final, "FROM").startswith("python:3.11-slim")
    assert json.loads(instruction(final, "ENTRYPOINT")) == ["effekt"]
    default = json.loads(instruction(final, "CMD"))
    path, params = parse_command(default)
    assert path == ("serve",) and params["host"] == "0.0.0.0"
    user = instruction(final, "USER")
    assert user and user not in ("root", "0")
    assert "/app/.venv/bin" in instruction(final, "ENV")
    runs = " ".join(rest for stage in stages for kw, rest in stage if kw == "RUN")
    assert "pip install" in runs and "uv" in runs
    assert "uv sync --frozen --no-dev" in runs
    assert "--extra" not in runs and "--all-extras" not in runs, "the test extra stays out of the image"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["effekt"] == "effekt.cli:app", "ENTRYPOINT effekt is the CLI this test parses commands with"


def test_dockerignore_keeps_what_the_image_copies():
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    copied = [
        src
        for stage in dockerfile_stages()
        for kw, rest in stage
        if kw == "COPY" and "--from" not in rest
        for src in rest.split()[:-1]
    ]
    assert {"pyproject.toml", "uv.lock", "effekt", "kit", "services", "gateway", "frontend"} <= set(copied)
    assert not ignored & set(copied)
    assert {".git", ".venv"} <= ignored
