"""50 users for 60 s on `effekt up` (SQLite): 80 % reads, 20 % writes, with an API token, through the gateway.

    .venv/bin/python bench/load.py [--users 50] [--seconds 60]

A fresh data dir set up with the CLI (user, workspace, editor token), then `effekt up` on a free loopback
port; the bench makes one KPI and one goal per user, then each user loops until the deadline: reads (goals,
the scorecard, KPIs, its KPI's observations) and writes (an observation of its own KPI, its own goal's
title). Every acknowledged write is read back at the end. It prints p50/p99 of reads and of writes and, last,
`ratio: N.NN` = the worse p99/p50 (goal ≤ 3). Errors and lost writes make it exit non-zero.
PostgreSQL per-service is not covered yet.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from gateway_overhead import EMAIL, HOST, child_env, effekt_command, free_port, run_cli, stop  # noqa: E402


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


async def user(n: int, client: httpx.AsyncClient, kpi: int, goal: int, stop_at: float, out: dict) -> None:
    try:
        await _user(n, client, kpi, goal, stop_at, out)
    except httpx.HTTPError as exc:  # a transport error ends this user and counts
        out["errors"].append(f"user {n}: {type(exc).__name__}")


async def _user(n: int, client: httpx.AsyncClient, kpi: int, goal: int, stop_at: float, out: dict) -> None:
    rng = random.Random(n)
    day = date(2020, 1, 1)
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        if rng.random() < 0.8:
            kind = "read"
            path = rng.choice(
                ["/api/v1/goals?limit=20", "/api/v1/scorecard?period=month", "/api/v1/kpis?limit=20",
                 f"/api/v1/observations?kpi_id={kpi}&limit=20"]
            )  # fmt: skip
            response = await client.get(path)
        elif rng.random() < 0.5:
            kind = "write"
            value = float(rng.randrange(1000))
            body = {"kpi_id": kpi, "period": "day", "period_start": day.isoformat(), "value": value}
            response = await client.post("/api/v1/observations", json=body)
            if response.status_code in (200, 201):
                out["observations"][(kpi, day.isoformat())] = value
            day += timedelta(days=1)
        else:
            kind = "write"
            title = f"Goal of user {n}, {rng.randrange(10**6)}"
            response = await client.patch(f"/api/v1/goals/{goal}", json={"title": title})
            if response.status_code == 200:
                out["titles"][goal] = title
        out[kind].append(time.perf_counter() - started)
        if response.status_code >= 400:
            out["errors"].append(f"{response.request.method} {response.request.url.path}: {response.status_code}")


async def run(base: str, token: str, users: int, seconds: float) -> dict:
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as client:
        kpis, goals = [], []
        for n in range(users):
            kpi = (
                await client.post("/api/v1/kpis", json={"name": f"KPI {n}", "category": "result"})
            ).raise_for_status()
            kpis.append(kpi.json()["id"])
            goal = await client.post("/api/v1/goals", json={"title": f"Goal {n}", "level": "strategic_goal"})
            goals.append(goal.raise_for_status().json()["id"])
        out: dict = {"read": [], "write": [], "errors": [], "observations": {}, "titles": {}}
        stop_at = time.monotonic() + seconds
        await asyncio.gather(*(user(n, client, kpis[n], goals[n], stop_at, out) for n in range(users)))
        lost = 0
        for (kpi, day), value in out["observations"].items():
            got = (await client.get(f"/api/v1/observations?kpi_id={kpi}&from={day}&to={day}")).json()["data"]
            lost += not (len(got) == 1 and got[0]["value"] == value)
        for goal, title in out["titles"].items():
            lost += (await client.get(f"/api/v1/goals/{goal}")).json()["title"] != title
        out["lost"] = lost
        return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--keep", action="store_true")
    args = p.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="effekt-load-"))
    env = child_env(tmp / "data", None)
    proc = None
    try:
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
        base = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("effekt up did not start:\n" + (tmp / "up.log").read_text()[-3000:])
            try:
                if httpx.get(base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        out = asyncio.run(run(base, token, args.users, args.seconds))
    finally:
        if proc is not None:
            stop(proc)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    ratios = {}
    for kind in ("read", "write"):
        p50, p99 = 1000 * pct(out[kind], 0.5), 1000 * pct(out[kind], 0.99)
        ratios[kind] = p99 / p50 if p50 else float("inf")
        print(
            f"sqlite {kind}s: {len(out[kind])} requests, p50 {p50:.0f} ms, p99 {p99:.0f} ms, p99/p50 {ratios[kind]:.2f}"
        )
    writes = len(out["observations"]) + len(out["titles"])
    errors = sorted(set(out["errors"]))[:5]
    print(f"errors: {len(out['errors'])} {errors}; writes read back: {writes - out['lost']}/{writes}")
    print(f"ratio: {max(ratios.values()):.2f}")
    if out["errors"] or out["lost"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
