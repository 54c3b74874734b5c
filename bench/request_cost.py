"""What a request costs beyond its own work: CPU per `GET /api/v1/goals?limit=20` served by `effekt serve goals`.

    .venv/bin/python bench/request_cost.py [--seconds 10] [--concurrency 10] [--goals 25]

`effekt serve goals` runs as its own process on a fresh data dir (SQLite, the embedded Redis), set up with the
CLI; the bench seeds goals over HTTP, then loads the list with a signed identity (as the gateway sends it) and
reads the server's CPU time from /proc/<pid>/stat over the measured run. The reference is the same database work
and serialisation in-process (a session, `reads.list_goals`, the `GoalList`, its JSON, the commit), timed with
`time.process_time`. The last line is `ratio: N.NN` = server CPU per request ÷ in-process CPU per request:
1.0 would be a free HTTP stack; the goal is ≤ 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from gateway_overhead import (  # noqa: E402  (a sibling script, not a package)
    HOST,
    child_env,
    cpu_seconds,
    create_account,
    free_port,
    run_python,
    spawn,
    stop,
    wait_healthy,
)

PATH = "/api/v1/goals?limit=20"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10, help="measured load per round (default 10)")
    p.add_argument("--warmup", type=float, default=2, help="unmeasured load first (default 2)")
    p.add_argument("--concurrency", type=int, default=10, help="connections in flight (default 10)")
    p.add_argument("--rounds", type=int, default=3, help="measured rounds; medians are reported (default 3)")
    p.add_argument("--goals", type=int, default=25, help="goals in the workspace (default 25)")
    p.add_argument("--keep", action="store_true", help="keep the data dir and the server's log")
    return p.parse_args(argv)


def seed(url: str, headers: dict[str, str], count: int) -> None:
    with httpx.Client(timeout=30, headers=headers) as client:
        for n in range(count):
            goal = {"title": f"Goal {n}", "level": "strategic_goal"}
            client.post(url + "/api/v1/goals", json=goal).raise_for_status()
        body = client.get(url + PATH).raise_for_status().json()
        assert len(body["data"]) == min(20, count) and body["count"] == count, body


def in_process_ms(workspace_id: int, rounds: int = 2000) -> tuple[float, bytes]:
    """CPU ms of the list's own work: session, count + page, the GoalList, its JSON, the commit."""
    from sqlmodel import Session

    from services.goals.db import create_engine_from_settings
    from services.goals.goals import reads
    from services.goals.goals.metrics_client import MetricsKpis
    from services.goals.goals.schemas import GoalList

    engine = create_engine_from_settings()

    def once() -> bytes:
        with Session(engine, expire_on_commit=False) as session:
            rows, total, unavailable = reads.list_goals(
                session=session,
                workspace_id=workspace_id,
                kpis=MetricsKpis(None, None),
                level=None,
                parent_id=None,
                surface_id=None,
                archived=False,
                q=None,
                sort=None,
                limit=20,
                offset=0,
            )
            body = GoalList(data=rows, count=total, limit=20, offset=0, kpis_unavailable=unavailable)
            session.commit()
        return json.dumps(body.model_dump(mode="json"), separators=(",", ":")).encode()

    for _ in range(200):
        out = once()
    runs = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(rounds // 5):
            once()
        runs.append(1000 * (time.process_time() - started) / (rounds // 5))
    engine.dispose()
    return statistics.median(runs), out


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="effekt-bench-"))
    data_dir = tmp / "data"
    os.environ["EFFEKT_DATA_DIR"] = str(data_dir)  # for the in-process reference, read after the server's run
    from kit import embedded_redis
    from kit.identity import IDENTITY_HEADER, Principal, sign_identity
    from kit.roles import Role
    from kit.settings import CommonSettings

    proc = None
    try:
        key = CommonSettings(data_dir=data_dir, signing_key=None).resolved_signing_key()
        embedded_redis.start(data_dir)
        env = child_env(data_dir, None)
        create_account(env)
        port = free_port()
        url = f"http://{HOST}:{port}"
        proc = spawn("goals", port, env, tmp)
        wait_healthy(url, proc, tmp / "goals.log")
        # A fresh data dir: the first user and workspace, the token made them admin.
        principal = Principal(user_id=1, workspace_id=1, role=Role.admin)
        signed = {IDENTITY_HEADER: sign_identity(key, principal, ttl=3600)}
        seed(url, signed, args.goals)

        print(
            f"{args.concurrency} connections, {args.warmup:g} s warm-up + {args.rounds} × {args.seconds:g} s; "
            f"{os.cpu_count()} CPUs; GET {PATH} with {args.goals} goals"
        )
        run_python(url + PATH, signed, args.concurrency, args.warmup)
        served = []
        for _ in range(args.rounds):
            before = cpu_seconds(proc.pid)
            requests, seconds, errors, lat = run_python(url + PATH, signed, args.concurrency, args.seconds)
            cpu = 1000 * (cpu_seconds(proc.pid) - before) / max(requests, 1)
            served.append(cpu)
            print(
                f"served: {requests} requests, {requests / seconds:.1f} req/s, p50 {lat.get('p50', 0):.1f} ms, "
                f"p99 {lat.get('p99', 0):.1f} ms, CPU {cpu:.2f} ms/req" + (f", ERRORS {errors}" if errors else "")
            )
        stop(proc)
        proc = None
        own, body = in_process_ms(principal.workspace_id)
        server = statistics.median(served)
        print(f"in-process: {own:.2f} ms CPU per list ({len(body)} bytes of JSON)")
        print(f"served: {server:.2f} ms CPU per request (median of {args.rounds})")
        print(f"ratio: {server / own:.2f}")
    finally:
        if proc is not None:
            stop(proc)
        embedded_redis.stop(force=True)
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
