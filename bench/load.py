"""50 users for 60 s: 80 % reads, 20 % writes, each with its own API token, through the gateway.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60] [--mode both|sqlite|pg] [--database-url ...]

Two deployments, each on a fresh setup made with the CLI (user, workspace, an editor token; the users' tokens
are made with the tokens API):

- *sqlite*: `effekt up` on a free loopback port (SQLite files, the embedded Redis, workers), the embedded default;
- *pg*: per service, as production runs it: `effekt serve gateway|goals|tasks|metrics` as four processes on
  loopback, each against a PostgreSQL database of its own (created with unique names on --database-url and
  dropped afterwards), sharing the embedded Redis of the data dir (or --redis-url, e.g. a DB number of its own).

The bench makes one KPI and one goal per user, then each user loops until the deadline: reads (goals, the
scorecard, KPIs, its KPI's observations) and writes (an observation of its own KPI, its own goal's title). Every
acknowledged write is read back at the end. It prints p50/p99 of reads and of writes per deployment and, last,
`ratio: N.NN` = the worst p99/p50 of the four (goal ≤ 3). Errors and lost writes make it exit non-zero.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from datetime import date, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from gateway_overhead import EMAIL, HOST, child_env, effekt_command, free_port, run_cli, spawn, stop  # noqa: E402
from scratch_db import scratch_database  # noqa: E402

READS = ("/api/v1/goals?limit=20", "/api/v1/scorecard?period=month", "/api/v1/kpis?limit=20")
ROLES = ("goals", "tasks", "metrics")
# settings of the shell the servers get (to compare them)
PASSED = ("EFFEKT_REQUEST_THREADS", "EFFEKT_GATEWAY_UPSTREAM_CONCURRENCY")


def bench_env(data_dir: Path, redis_url: str | None) -> dict[str, str]:
    env = child_env(data_dir, redis_url)
    env.update({name: os.environ[name] for name in PASSED if name in os.environ})
    return env


def setup(env: dict[str, str]) -> str:
    """A user, a workspace and an editor token (CLI); returns the token."""
    run_cli(["migrate"], env)
    run_cli(
        ["user", "create", "--email", EMAIL, "--name", "Load", "--password-stdin"], env, stdin="load pw long enough\n"
    )
    run_cli(["workspace", "create", "--name", "Load", "--slug", "load", "--owner", EMAIL], env)
    out = run_cli(["token", "create", "--email", EMAIL, "--workspace", "load", "--role", "editor", "--name", "l"], env)
    return out.strip().splitlines()[-1]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else 0.0


def route(path: str) -> str:
    return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))


def wait_up(base: str, token: str, procs: list[subprocess.Popen], log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            raise SystemExit(f"the stack did not start:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200:
                # /me answers from the gateway alone; a service list proves the hop works too
                if httpx.get(base + READS[0], headers={"Authorization": f"Bearer {token}"}).status_code == 200:
                    return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)


async def user(n: int, client: httpx.AsyncClient, token: str, kpi: int, goal: int, stop_at: float, out: dict) -> None:
    try:
        await _user(n, client, {"Authorization": f"Bearer {token}"}, kpi, goal, stop_at, out)
    except httpx.HTTPError as exc:  # a transport error ends this user and counts
        out["errors"].append(f"{exc.request.method} {exc.request.url.path}: {type(exc).__name__}")


async def _user(n: int, client: httpx.AsyncClient, auth: dict, kpi: int, goal: int, stop_at: float, out: dict) -> None:
    rng = random.Random(n)
    day = date(2020, 1, 1)
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        if rng.random() < 0.8:
            kind = "read"
            path = rng.choice([*READS, f"/api/v1/observations?kpi_id={kpi}&limit=20"])
            response = await client.get(path, headers=auth)
        elif rng.random() < 0.5:
            kind = "write"
            value = float(rng.randrange(1000))
            body = {"kpi_id": kpi, "period": "day", "period_start": day.isoformat(), "value": value}
            response = await client.post("/api/v1/observations", json=body, headers=auth)
            if response.status_code in (200, 201):
                out["observations"][(kpi, day.isoformat())] = value
            day += timedelta(days=1)
        else:
            kind = "write"
            title = f"Goal of user {n}, {rng.randrange(10**6)}"
            response = await client.patch(f"/api/v1/goals/{goal}", json={"title": title}, headers=auth)
            if response.status_code == 200:
                out["titles"][goal] = title
        out[kind].append(time.perf_counter() - started)
        out["by_route"][f"{response.request.method} {route(response.request.url.path)}"].append(out[kind][-1])
        if response.status_code >= 400:
            out["errors"].append(f"{response.request.method} {response.request.url.path}: {response.status_code}")


async def run(base: str, token: str, users: int, seconds: float) -> dict:
    """Make each user's token, KPI and goal; load for `seconds`; read every acknowledged write back."""
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as client:
        workspace = (await client.get("/api/v1/me")).raise_for_status().json()["workspace"]["id"]
        tokens, kpis, goals = [], [], []
        for n in range(users):  # one token each: the gateway's rate limit is per token, as for real clients
            made = await client.post(f"/api/v1/workspaces/{workspace}/tokens", json={"name": f"u{n}", "role": "editor"})
            tokens.append(made.raise_for_status().json()["token"])
            kpi = await client.post("/api/v1/kpis", json={"name": f"KPI {n}", "category": "result"})
            kpis.append(kpi.raise_for_status().json()["id"])
            goal = await client.post("/api/v1/goals", json={"title": f"Goal {n}", "level": "strategic_goal"})
            goals.append(goal.raise_for_status().json()["id"])
        out: dict = {"read": [], "write": [], "errors": [], "observations": {}, "titles": {}}
        out["by_route"] = collections.defaultdict(list)
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(user(n, client, tokens[n], kpis[n], goals[n], stop_at, out) for n in range(users)))
        # Read back with each user's own token: the setup token alone would meet the per-token rate limit.
        owner = {kpi: n for n, kpi in enumerate(kpis)} | {("goal", goal): n for n, goal in enumerate(goals)}
        lost, unread = 0, []
        for (kpi, day), value in out["observations"].items():
            auth = {"Authorization": f"Bearer {tokens[owner[kpi]]}"}
            answer = await client.get(f"/api/v1/observations?kpi_id={kpi}&from={day}&to={day}", headers=auth)
            if answer.status_code != 200:
                unread.append(answer.status_code)
            got = answer.json().get("data") if answer.status_code == 200 else None
            lost += not (got is not None and len(got) == 1 and got[0]["value"] == value)
        for goal, title in out["titles"].items():
            auth = {"Authorization": f"Bearer {tokens[owner['goal', goal]]}"}
            answer = await client.get(f"/api/v1/goals/{goal}", headers=auth)
            if answer.status_code != 200:
                unread.append(answer.status_code)
            lost += answer.status_code != 200 or answer.json()["title"] != title
        out["unread"] = collections.Counter(unread)
        out["lost"] = lost
        return out


@contextmanager
def embedded_stack(tmp: Path):
    """`effekt up` on SQLite files: yields (base URL, setup token)."""
    env = bench_env(tmp / "data", None)
    token = setup(env)
    port = free_port()
    with open(tmp / "up.log", "wb") as log:
        proc = subprocess.Popen(
            [*effekt_command(), "up", "--host", HOST, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        base = f"http://{HOST}:{port}"
        wait_up(base, token, [proc], tmp / "up.log")
        yield base, token
    finally:
        stop(proc)


@contextmanager
def per_service_stack(tmp: Path, database_url: str, redis_url: str | None):
    """gateway, goals, tasks and metrics as processes of their own, each on its own PostgreSQL database."""
    from kit import embedded_redis

    data_dir = tmp / "data"
    with ExitStack() as stack:
        unique = f"effekt_load_{os.getpid()}"
        env = bench_env(data_dir, redis_url)
        for name in ("gateway", *ROLES):
            url = stack.enter_context(scratch_database(database_url, f"{unique}_{name}"))
            env[f"EFFEKT_{name.upper()}_DATABASE_URL"] = url
        if not redis_url:
            embedded_redis.start(data_dir)
            stack.callback(embedded_redis.stop, force=True)
        token = setup(env)
        ports = {name: free_port() for name in ("gateway", *ROLES)}
        env["EFFEKT_GATEWAY_URL"] = f"http://{HOST}:{ports['gateway']}"
        for name in ROLES:
            env[f"EFFEKT_GATEWAY_{name.upper()}_URL"] = f"http://{HOST}:{ports[name]}"
        procs = []
        for name, port in ports.items():
            proc = spawn(name, port, env, tmp)
            stack.callback(stop, proc)
            procs.append(proc)
        base = f"http://{HOST}:{ports['gateway']}"
        wait_up(base, token, procs, tmp / "gateway.log")
        yield base, token


def report(label: str, out: dict) -> dict[str, float]:
    ratios = {}
    for kind in ("read", "write"):
        p50, p99 = 1000 * pct(out[kind], 0.5), 1000 * pct(out[kind], 0.99)
        ratios[kind] = p99 / p50 if p50 else float("inf")
        print(
            f"{label} {kind}s: {len(out[kind])} requests, p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
            f"max {1000 * max(out[kind], default=0):.0f} ms, p99/p50 {ratios[kind]:.2f}",
            flush=True,
        )
    for name, times in sorted(out["by_route"].items()):
        print(f"  {name}: {len(times)}, p50 {1000 * pct(times, 0.5):.0f} ms, p99 {1000 * pct(times, 0.99):.0f} ms")
    writes = len(out["observations"]) + len(out["titles"])
    errors = collections.Counter(out["errors"]).most_common(5)
    unread = f" (not read: {dict(out['unread'])})" if out["unread"] else ""
    print(f"{label} errors: {len(out['errors'])} {errors}; writes read back: {writes - out['lost']}/{writes}{unread}")
    return ratios


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--mode", choices=("both", "sqlite", "pg"), default="both")
    p.add_argument(
        "--database-url",
        default=os.environ.get("EFFEKT_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="the PostgreSQL server of the pg mode (its databases are made and dropped)",
    )
    p.add_argument("--redis-url", help="the pg mode's Redis (default: the embedded one of its data dir)")
    p.add_argument("--keep", action="store_true", help="keep the data dirs and the servers' logs")
    args = p.parse_args(argv)
    modes = ("sqlite", "pg") if args.mode == "both" else (args.mode,)
    ratios: dict[str, float] = {}
    failed = False
    for mode in modes:
        tmp = Path(tempfile.mkdtemp(prefix=f"effekt-load-{mode}-"))
        try:
            if mode == "sqlite":
                stack = embedded_stack(tmp)
            else:
                stack = per_service_stack(tmp, args.database_url, args.redis_url)
            with stack as (base, token):
                out = asyncio.run(run(base, token, args.users, args.seconds))
        finally:
            if args.keep:
                print(f"kept {tmp}", file=sys.stderr)
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        for kind, ratio in report(mode, out).items():
            ratios[f"{kind}s {mode}"] = ratio
        failed = failed or bool(out["errors"] or out["lost"])
    print("p99/p50: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
    print(f"ratio: {max(ratios.values()):.2f}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
