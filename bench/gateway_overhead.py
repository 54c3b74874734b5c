"""What the gateway costs: one authenticated list request, straight to the goals service and through the gateway.

    .venv/bin/python bench/gateway_overhead.py [--seconds 10] [--concurrency 10] [--generator auto|wrk|python]

Deployed the way production runs it: `effekt serve goals` and `effekt serve gateway` as separate processes
on 127.0.0.1, on a fresh data dir (SQLite files; the embedded Redis, or --redis-url). The request is
GET /api/v1/surfaces?limit=20: direct with an identity signed as the gateway would sign it, and through
the gateway with a bearer API token. The last line printed is `ratio: 0.NN`, gateway req/s over direct
req/s: 1.0 would be a free gateway; every proxied request costs one extra HTTP hop plus the gateway's work.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"
PATH = "/api/v1/surfaces?limit=20"
EMAIL = "bench@example.com"
PASSWORD = "bench password, long enough"
WRK = "/usr/bin/wrk"


@dataclass
class Result:
    label: str
    requests: int
    seconds: float
    errors: int = 0
    latencies_ms: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used during the run, by process

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        lat = "  ".join(f"{k} {v:.1f} ms" for k, v in self.latencies_ms.items())
        cpu = ", ".join(f"{k} {1000 * v / max(self.requests, 1):.2f}" for k, v in self.cpu.items())
        errors = f"  ERRORS {self.errors}" if self.errors else ""
        return f"{self.label:<34} {self.rate:9.1f} req/s  {lat}  [CPU ms/req: {cpu}]{errors}"


# --- the stack ------------------------------------------------------------------------------------------------


def effekt_command() -> list[str]:
    script = Path(sys.executable).with_name("effekt")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from effekt.cli import app; app()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def child_env(data_dir: Path, redis_url: str | None) -> dict[str, str]:
    """The shell's environment without any Effekt settings, pointed at the bench's data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_") and k != "REDIS_URL"}
    env.update(EFFEKT_DATA_DIR=str(data_dir), EFFEKT_LOG_LEVEL="WARNING", EFFEKT_LOG_JSON="false")
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [*effekt_command(), *args], env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"`effekt {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def create_account(env: dict[str, str]) -> str:
    """A user, a workspace and an admin API token, made with the CLI as an operator would; returns the token."""
    run_cli(["migrate"], env)
    run_cli(["user", "create", "--email", EMAIL, "--name", "Bench", "--password-stdin"], env, stdin=PASSWORD + "\n")
    run_cli(["workspace", "create", "--name", "Bench", "--slug", "bench", "--owner", EMAIL], env)
    out = run_cli(
        ["token", "create", "--email", EMAIL, "--workspace", "bench", "--role", "admin", "--name", "bench"], env
    )
    return out.strip().splitlines()[-1]


def spawn(role: str, port: int, env: dict[str, str], logs: Path) -> subprocess.Popen:
    with open(logs / f"{role}.log", "wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [*effekt_command(), "serve", role, "--host", HOST, "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{url} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} not healthy after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """Stop one child by its pid: SIGTERM, then SIGKILL if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


# --- load generators ------------------------------------------------------------------------------------------


def run_wrk(url: str, headers: dict[str, str], concurrency: int, seconds: float) -> tuple[int, float, int, dict]:
    args = [WRK, "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "10s"]
    for key, value in headers.items():
        args += ["-H", f"{key}: {value}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    requests, duration = int(m[1]), float(m[2]) * {"s": 1, "ms": 1e-3, "m": 60, "us": 1e-6}.get(m[3], 1)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    lat = {}
    for pct in ("50", "99"):
        hit = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if hit:
            lat[f"p{pct}"] = float(hit[1]) * {"us": 1e-3, "ms": 1, "s": 1000}[hit[2]]
    return requests, duration, errors, lat


async def _python_load(url: str, headers: dict[str, str], concurrency: int, seconds: float):
    """N keep-alive connections, each sending the request and reading the reply in a loop.

    Raw HTTP/1.1 on asyncio streams (uvloop when installed), not an HTTP client library: on a 2-core machine
    the generator shares the CPU with the servers, so every microsecond it spends is taken from them."""
    parts = httpx.URL(url)
    head = [f"GET {parts.raw_path.decode()} HTTP/1.1", f"Host: {parts.host}:{parts.port}", "Connection: keep-alive"]
    request = ("\r\n".join(head + [f"{k}: {v}" for k, v in headers.items()]) + "\r\n\r\n").encode()
    latencies: list[float] = []
    counts = {"ok": 0, "errors": 0}
    stop_at = time.perf_counter() + seconds

    async def loop() -> None:
        reader, writer = await asyncio.open_connection(parts.host, parts.port)
        try:
            while (started := time.perf_counter()) < stop_at:
                writer.write(request)
                raw = await reader.readuntil(b"\r\n\r\n")
                lower = raw.lower()
                at = lower.find(b"\r\ncontent-length:")
                if at >= 0:
                    await reader.readexactly(int(lower[at + 17 : lower.index(b"\r\n", at + 2)]))
                elif b"transfer-encoding: chunked" in lower:
                    while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                        await reader.readexactly(size + 2)
                    await reader.readuntil(b"\r\n")
                counts["ok" if raw[9:10] == b"2" else "errors"] += 1
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    latencies.sort()
    lat = {}
    if latencies:
        lat = {"p50": 1000 * latencies[len(latencies) // 2], "p99": 1000 * latencies[int(len(latencies) * 0.99)]}
    return counts["ok"] + counts["errors"], elapsed, counts["errors"], lat


def run_python(url: str, headers: dict[str, str], concurrency: int, seconds: float):
    try:
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(_python_load(url, headers, concurrency, seconds))
    except ImportError:
        return asyncio.run(_python_load(url, headers, concurrency, seconds))


def start_profilers(args, label: str, pids: dict[str, int]) -> list[subprocess.Popen]:
    """py-spy on each server for the measured run, as collapsed stacks (flamegraph.pl / speedscope read them)."""
    if not args.profile:
        return []
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    out = Path(args.profile)
    out.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                py_spy,
                "record",
                "--pid",
                str(pid),
                "--format",
                "raw",
                "--rate",
                "200",
                "--nonblocking",
                "--gil",
                "--duration",
                str(max(1, round(args.seconds))),
                "--output",
                str(out / f"{label}-{name}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    ]


def measure(label: str, generator: str, url: str, headers: dict[str, str], args, pids: dict[str, int]) -> Result:
    """Warm up, then load for a bounded time; CPU time of each server and of the generator over the run."""
    load = run_wrk if generator == "wrk" else run_python
    load(url, headers, args.concurrency, args.warmup)
    profilers = start_profilers(args, label.split()[0], pids)
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    own = resource.getrusage(resource.RUSAGE_SELF if generator == "python" else resource.RUSAGE_CHILDREN)
    requests, seconds, errors, lat = load(url, headers, args.concurrency, args.seconds)
    after = resource.getrusage(resource.RUSAGE_SELF if generator == "python" else resource.RUSAGE_CHILDREN)
    cpu = {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()}
    cpu["load generator"] = (after.ru_utime + after.ru_stime) - (own.ru_utime + own.ru_stime)
    for profiler in profilers:
        profiler.wait(timeout=60)
    return Result(label, requests, seconds, errors, lat, cpu)


def server_cpu(result: Result, names: list[str]) -> float:
    """CPU milliseconds per request spent by the named servers."""
    return 1000 * sum(result.cpu[n] for n in names) / max(result.requests, 1)


# --- the benchmark --------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=10, help="measured time per mode (default 10)")
    p.add_argument("--warmup", type=float, default=2, help="unmeasured load before each run (default 2)")
    p.add_argument("--concurrency", type=int, default=10, help="connections in flight (default 10)")
    p.add_argument("--rounds", type=int, default=1, help="alternate direct/gateway runs; medians are reported")
    p.add_argument(
        "--generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help=f"auto: {WRK} when installed, else the Python generator",
    )
    p.add_argument("--redis-url", help="use this Redis instead of the embedded one")
    p.add_argument(
        "--profile",
        metavar="DIR",
        help="record py-spy profiles of the servers into DIR (py-spy must be installed; it perturbs the numbers)",
    )
    p.add_argument("--keep", action="store_true", help="keep the data dir and logs (printed at the end)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    generator = args.generator if args.generator != "auto" else ("wrk" if Path(WRK).exists() else "python")
    if generator == "wrk" and not Path(WRK).exists():
        raise SystemExit(f"{WRK} is not installed (Debian: apt-get install wrk); use --generator python")
    from kit import embedded_redis
    from kit.identity import IDENTITY_HEADER, Principal, sign_identity
    from kit.roles import Role
    from kit.settings import CommonSettings

    tmp = Path(tempfile.mkdtemp(prefix="effekt-bench-"))
    data_dir = tmp / "data"
    procs: list[subprocess.Popen] = []
    owns_redis = False
    try:
        # Create the key before two processes race to create it on a fresh data dir.
        key = CommonSettings(data_dir=data_dir, signing_key=None).resolved_signing_key()
        if not args.redis_url:
            # The children join this server (they find it by the data dir); the bench owns it and stops it.
            embedded_redis.start(data_dir)
            owns_redis = True
        env = child_env(data_dir, args.redis_url)
        token = create_account(env)
        goals_port, gateway_port = free_port(), free_port()
        goals_url, gateway_url = f"http://{HOST}:{goals_port}", f"http://{HOST}:{gateway_port}"
        procs.append(spawn("goals", goals_port, env, tmp))
        procs.append(spawn("gateway", gateway_port, {**env, "EFFEKT_GATEWAY_GOALS_URL": goals_url}, tmp))
        wait_healthy(goals_url, procs[0], tmp / "goals.log")
        wait_healthy(gateway_url, procs[1], tmp / "gateway.log")

        bearer = {"Authorization": f"Bearer {token}"}
        with httpx.Client(timeout=10) as client:
            me = client.get(gateway_url + "/api/v1/me", headers=bearer).raise_for_status().json()
            client.post(
                gateway_url + "/api/v1/surfaces",
                headers=bearer,
                json={
                    "name": "Bench shop",
                    "kind": "web_shop",
                    "url": "https://shop.example.com",
                    "period_start": dt.date.today().isoformat(),
                },
            ).raise_for_status()
            principal = Principal(user_id=me["user"]["id"], workspace_id=me["workspace"]["id"], role=Role(me["role"]))
            ttl = int((args.warmup + args.seconds) * args.rounds * 2 + 600)
            signed = {IDENTITY_HEADER: sign_identity(key, principal, ttl=ttl)}
            direct_body = client.get(goals_url + PATH, headers=signed).raise_for_status().json()
            gateway_body = client.get(gateway_url + PATH, headers=bearer).raise_for_status().json()
            assert direct_body == gateway_body and direct_body["count"] == 1, (direct_body, gateway_body)

        pids = {"goals": procs[0].pid, "gateway": procs[1].pid}
        print(
            f"load generator: {generator}, {args.concurrency} connections, {args.warmup:g} s warm-up + "
            f"{args.seconds:g} s per run, {args.rounds} round(s); {os.cpu_count()} CPUs; GET {PATH}"
        )
        direct_runs, gateway_runs = [], []
        for _ in range(args.rounds):
            direct_runs.append(
                measure(
                    "direct (goals, signed identity)",
                    generator,
                    goals_url + PATH,
                    signed,
                    args,
                    {"goals": pids["goals"]},
                )
            )
            print(direct_runs[-1].line(), flush=True)
            gateway_runs.append(
                measure("through gateway (bearer token)", generator, gateway_url + PATH, bearer, args, pids)
            )
            print(gateway_runs[-1].line(), flush=True)
        direct = statistics.median(r.rate for r in direct_runs)
        gateway = statistics.median(r.rate for r in gateway_runs)
        if any(r.errors for r in direct_runs + gateway_runs):
            print("warning: some responses were errors (rerun with --keep to read the servers' logs)", file=sys.stderr)
        cpu_direct = statistics.median(server_cpu(r, ["goals"]) for r in direct_runs)
        cpu_through = statistics.median(server_cpu(r, ["goals", "gateway"]) for r in gateway_runs)
        cpu_gateway = statistics.median(server_cpu(r, ["gateway"]) for r in gateway_runs)
        # Throughput swings with whatever else the machine runs; CPU time per request swings less.
        print(
            f"server CPU per request: direct {cpu_direct:.2f} ms, through the gateway {cpu_through:.2f} ms "
            f"(gateway {cpu_gateway:.2f} ms); CPU ratio {cpu_direct / cpu_through:.2f}"
        )
        print(f"direct: {direct:.1f} req/s   gateway: {gateway:.1f} req/s")
        print(f"ratio: {gateway / direct:.2f}")
    finally:
        for proc in reversed(procs):
            stop(proc)
        if owns_redis:
            embedded_redis.stop(force=True)
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
