"""`effekt up` as a newcomer runs it, and the admin commands, as real processes."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from kit.embedded_redis import alive, command, socket_path
from tests.processes import EFFEKT, clean_env, free_port, run_cli, wait_for


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


@pytest.mark.slow
def test_up_serves_demo_stops_cleanly_and_reuses_data(tmp_path):
    port = free_port()
    env = clean_env(tmp_path, EFFEKT_DEMO_PASSWORD="demo-password-1")
    for _attempt in (1, 2):
        proc = subprocess.Popen(
            [EFFEKT, "up", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            r = wait_for(f"http://127.0.0.1:{port}/signin", proc)
            assert r.status_code == 200 and "Effekt" in r.text
            children = children_of(proc.pid)  # the embedded redis-server among them
            assert alive(socket_path(tmp_path))
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
                page = c.get("/signin")
                csrf = page.cookies["effekt_csrf"]
                signed = c.post(
                    "/signin",
                    data={"email": "demo@example.com", "password": "demo-password-1", "csrf_token": csrf, "next": "/"},
                )
                assert signed.status_code == 303
                home = c.get("/")
                assert home.status_code == 200 and "Nordvik Outdoor AS" in home.text
                assert c.get("/healthz").json()["status"] == "ok"
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0, out
        assert "demo@example.com" in out and "demo-password-1" in out
        time.sleep(0.5)
        assert children, "effekt up runs the embedded redis-server as its child"
        assert not [p for p in children if Path(f"/proc/{p}").exists()], "a child process outlived effekt up"
        assert not alive(socket_path(tmp_path))
    assert (tmp_path / "gateway.db").exists() and (tmp_path / "goals.db").exists()


@pytest.mark.slow
def test_admin_commands_and_per_service_deployment(tmp_path):
    """The ops path: migrate, create user/workspace/token, then each part in its own process."""
    env = clean_env(tmp_path)
    assert run_cli(["migrate"], env).returncode == 0
    r = run_cli(["user", "create", "--email", "ops@example.com", "--password-stdin"], env, "a-long-password-1\n")
    assert r.returncode == 0, r.stderr
    assert (
        run_cli(
            ["user", "create", "--email", "ops@example.com", "--password-stdin"], env, "a-long-password-1\n"
        ).returncode
        == 2
    )  # already registered: a clear error
    r = run_cli(["workspace", "create", "--name", "Ops Co", "--slug", "ops", "--owner", "ops@example.com"], env)
    assert r.returncode == 0, r.stderr
    r = run_cli(["token", "create", "--email", "ops@example.com", "--workspace", "ops", "--role", "editor"], env)
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip().splitlines()[-1]
    assert token.startswith("efk_")

    goals_port, gateway_port = free_port(), free_port()
    env = {**env, "EFFEKT_GATEWAY_GOALS_URL": f"http://127.0.0.1:{goals_port}"}
    procs = [
        subprocess.Popen(
            [EFFEKT, "serve", "goals", "--port", str(goals_port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ),
        subprocess.Popen(
            [EFFEKT, "serve", "gateway", "--port", str(gateway_port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        ),
    ]
    try:
        wait_for(f"http://127.0.0.1:{goals_port}/healthz", procs[0])
        wait_for(f"http://127.0.0.1:{gateway_port}/healthz", procs[1])
        headers = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{gateway_port}"
        created = httpx.post(
            f"{base}/api/v1/surfaces",
            headers=headers,
            json={"name": "Web", "kind": "website", "cadence": "yearly", "period_start": "2026-01-01"},
        )
        assert created.status_code == 201, created.text
        assert httpx.get(f"{base}/api/v1/me", headers=headers).json()["workspace"]["slug"] == "ops"
        health = httpx.get(f"{base}/healthz").json()["services"]
        assert health["goals"]["status"] == "up" and health["tasks"]["status"] == "down"
        r = httpx.get(f"{base}/api/v1/periods", headers=headers)  # tasks is not running: a 503 problem
        assert r.status_code == 503 and r.headers["content-type"].startswith("application/problem+json")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.communicate(timeout=30)
        # Processes that stop at the same moment each see the other still connected and leave the
        # shared embedded Redis running, as a deployment without REDIS_URL would: stop it here.
        command(socket_path(tmp_path), "SHUTDOWN", "NOSAVE")


def redis_servers_of(data_dir: Path) -> list[int]:
    """Every redis-server process on the machine serving this data dir, in whatever process group or session."""
    marker = str(socket_path(data_dir)).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"redis" in cmdline and marker in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def _hammer(base: str, stop: threading.Event) -> None:
    """Load: requests that touch the database, Redis and every service, until told to stop."""
    with httpx.Client(base_url=base, timeout=5) as c:
        while not stop.is_set():
            for path in ("/healthz", "/readyz", "/signin"):
                try:
                    c.get(path)
                except httpx.HTTPError:
                    pass


@pytest.mark.slow
def test_no_embedded_redis_outlives_effekt_up_however_it_stops(tmp_path):
    """SIGTERM while starting, SIGTERM under load with CLI commands in flight on the same data dir, and SIGKILL:
    afterwards no redis-server of the data dir runs anywhere (not only among effekt up's children)."""
    port = free_port()
    env = clean_env(tmp_path, EFFEKT_DEMO_PASSWORD="demo-password-1")
    base = f"http://127.0.0.1:{port}"

    def start() -> subprocess.Popen:
        return subprocess.Popen(
            [EFFEKT, "up", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    # 1. SIGTERM as soon as the embedded Redis runs, while migrations and the demo are still being made.
    proc = start()
    deadline = time.monotonic() + 60
    while not alive(socket_path(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert "Effekt stopped." in out, out
    assert not redis_servers_of(tmp_path), "a redis-server outlived an effekt up stopped while starting"

    # 2. SIGTERM under load, with a token being created and a worker joining the same embedded Redis.
    proc = start()
    wait_for(f"{base}/signin", proc, timeout=120)
    stop_load = threading.Event()
    load = [threading.Thread(target=_hammer, args=(base, stop_load), daemon=True) for _ in range(4)]
    for t in load:
        t.start()
    in_flight = [
        subprocess.Popen([EFFEKT, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for args in (
            ["worker", "tasks"],
            ["token", "create", "--email", "demo@example.com", "--workspace", "demo", "--role", "editor"],
        )
    ]
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    stop_load.set()
    for t in load:
        t.join(timeout=10)
    assert proc.returncode == 0 and "Effekt stopped." in out, out
    for cli in in_flight:
        if cli.poll() is None:
            cli.send_signal(signal.SIGTERM)
        cli.communicate(timeout=60)
    time.sleep(0.5)
    assert not redis_servers_of(tmp_path), "a redis-server outlived effekt up stopped under load"

    # 3. SIGKILL: no clean-up runs in effekt up at all; the server still goes with it.
    proc = start()
    wait_for(f"{base}/signin", proc, timeout=120)
    assert redis_servers_of(tmp_path)
    proc.kill()
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 15
    while redis_servers_of(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not redis_servers_of(tmp_path), "a redis-server outlived a killed effekt up"
