"""Redis going away, as real processes: `effekt up` and `effekt worker` survive it and resume by themselves.

The recovery times measured are printed (run with -s to see them): the time from Redis being back (or killed,
for the embedded one that `effekt up` restarts) to /readyz answering ready, to every worker's heartbeat being
fresh again, and to an import queued during the outage having run.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from kit.embedded_redis import alive, server_pid, socket_path
from tests.processes import EFFEKT, OwnRedis, clean_env, free_port, run_cli, until, wait_for

SERVICES = ("goals", "tasks", "metrics")
PASSWORD = "demo-password-1"


def get(url: str, **kw) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=3, **kw)
    except httpx.TransportError:
        return None


def ready(base: str) -> bool:
    r = get(f"{base}/readyz")
    return r is not None and r.status_code == 200


def beats_since(base: str, moment: float) -> bool:
    """Every worker has recorded a heartbeat after `moment` (time.time())."""
    r = get(f"{base}/healthz")
    if r is None:
        return False
    services = r.json()["services"]
    now = time.time()
    seen = [services[n].get("worker_seen_seconds_ago") for n in SERVICES]
    return all(s is not None and now - s >= moment - 0.5 for s in seen)


def sign_in(base: str) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=10) as c:
        csrf = c.get("/signin").cookies["effekt_csrf"]
        return c.post(
            "/signin", data={"email": "demo@example.com", "password": PASSWORD, "csrf_token": csrf, "next": "/"}
        )


def start_up(data_dir: Path, **env: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [EFFEKT, "up", "--port", str(port)],
        env=clean_env(data_dir, EFFEKT_DEMO_PASSWORD=PASSWORD, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/signin", proc, timeout=120)
    until(lambda: ready(base), 30, "effekt up to be ready")
    return proc, base


def stop_up(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    return out


def queue_an_import(data_dir: Path, base: str) -> tuple[httpx.Client, int]:
    """Upload a small CSV into the demo workspace and run it: (an API client, the import's id)."""
    r = run_cli(
        ["token", "create", "--email", "demo@example.com", "--workspace", "demo", "--role", "editor"],
        clean_env(data_dir),
    )
    assert r.returncode == 0, r.stderr
    api = httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {r.stdout.strip().splitlines()[-1]}"}, timeout=30
    )
    kpis = api.get("/api/v1/kpis", params={"limit": 100}).json()["data"]
    kpi = next(k["id"] for k in kpis if not k["derived"])
    up = api.post("/api/v1/imports", files={"file": ("o.csv", b"date,value\n2020-01-01,5\n2020-02-01,6\n", "text/csv")})
    assert up.status_code == 201, up.text
    mapping = {"columns": ["period_start", "value"], "period": "month", "kpi_id": kpi}
    run = api.post(f"/api/v1/imports/{up.json()['id']}/run", json={"mapping": mapping})
    assert run.status_code == 202 and run.json()["status"] == "queued", run.text
    return api, up.json()["id"]


@pytest.mark.slow
def test_effekt_up_restarts_its_embedded_redis_when_it_is_killed(tmp_path):
    proc, base = start_up(tmp_path)
    try:
        until(lambda: beats_since(base, 0), 30, "the first heartbeats")
        sock = socket_path(tmp_path)
        first = server_pid(sock)
        assert first
        killed = time.time()
        t0 = time.monotonic()
        subprocess.run(["kill", "-KILL", str(first)], check=True)
        until(lambda: not Path(f"/proc/{first}/cmdline").exists() or not alive(sock), 10, "the kill")
        until(lambda: (server_pid(sock) or first) != first, 30, "a new redis-server")
        restarted = time.monotonic() - t0
        until(lambda: ready(base), 30, "/readyz after the restart")
        readyz = time.monotonic() - t0
        until(lambda: beats_since(base, killed), 60, "fresh heartbeats of all three workers")
        beats = time.monotonic() - t0
        assert proc.poll() is None, "effekt up exited when its Redis died"
        assert sign_in(base).status_code == 303
        print(
            f"\n[recovery] embedded redis killed: new server {restarted:.2f} s, /readyz ready {readyz:.2f} s, "
            f"three fresh heartbeats {beats:.2f} s"
        )
    finally:
        out = stop_up(proc)
    assert proc.returncode == 0, out
    assert not alive(socket_path(tmp_path))


@pytest.mark.slow
def test_effekt_up_rides_out_a_redis_outage_and_resumes(tmp_path):
    """With REDIS_URL (a Redis it does not own): sign-in and /readyz during the outage, recovery after it."""
    redis = OwnRedis(tmp_path).start()
    proc, base = start_up(tmp_path / "data", REDIS_URL=redis.url)
    try:
        until(lambda: beats_since(base, 0), 30, "the first heartbeats")
        redis.kill()
        down = get(f"{base}/readyz")
        assert down.status_code == 503 and "redis" in down.json()["detail"]
        t = time.monotonic()
        assert sign_in(base).status_code == 303  # the limiter counts in the process meanwhile
        signin_seconds = time.monotonic() - t
        assert signin_seconds < 10  # argon2 on a shared 2-core machine; Redis itself costs at most 1 s here
        health = get(f"{base}/healthz")
        assert health.status_code == 200
        # An import run during the outage: accepted (its job cannot be queued yet), not refused for minutes.
        api, import_id = queue_an_import(tmp_path / "data", base)
        again = api.post(f"/api/v1/imports/{import_id}/run", json={})
        assert again.status_code == 409  # a double click, at once
        time.sleep(16)  # QUEUE_GRACE: no worker took it, so it may be run again
        again = api.post(f"/api/v1/imports/{import_id}/run", json={})
        assert again.status_code == 202, again.text
        assert proc.poll() is None, "effekt up exited while Redis was down"

        back = time.time()
        t0 = time.monotonic()
        redis.start()
        until(lambda: ready(base), 30, "/readyz after Redis came back")
        readyz = time.monotonic() - t0
        until(lambda: beats_since(base, back), 60, "fresh heartbeats of all three workers")
        beats = time.monotonic() - t0
        until(lambda: api.get(f"/api/v1/imports/{import_id}").json()["status"] == "done", 90, "the queued import")
        imported = time.monotonic() - t0
        api.close()
        print(
            f"\n[recovery] Redis outage (REDIS_URL): sign-in during it {signin_seconds:.2f} s; after Redis is back "
            f"/readyz ready {readyz:.2f} s, three fresh heartbeats {beats:.2f} s, "
            f"the import queued during the outage done {imported:.2f} s"
        )
    finally:
        out = stop_up(proc)
        redis.stop()
    assert proc.returncode == 0, out


@pytest.mark.slow
def test_a_worker_waits_out_redis_and_resumes_by_itself(tmp_path):
    """Per-service mode: `effekt worker` keeps retrying while Redis is down, then beats again and stops on SIGTERM."""
    redis = OwnRedis(tmp_path).start()
    env = clean_env(tmp_path / "data", REDIS_URL=redis.url)
    assert run_cli(["migrate", "tasks"], env).returncode == 0
    worker = subprocess.Popen(
        [EFFEKT, "worker", "tasks"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        import redis as redis_py

        def beat() -> float | None:
            try:
                value = redis_py.Redis(unix_socket_path=str(redis.sock)).get("effekt:tasks:worker:heartbeat")
            except redis_py.RedisError:
                return None
            return float(value) if value else None

        until(beat, 60, "the worker's first heartbeat")
        redis.kill()
        time.sleep(4)
        assert worker.poll() is None, "the worker exited when Redis went away"
        back = time.time()
        t0 = time.monotonic()
        redis.start()  # empty: the heartbeat key is gone
        until(lambda: (beat() or 0) >= back, 60, "a heartbeat after Redis came back")
        print(f"\n[recovery] effekt worker, Redis back: first heartbeat after {time.monotonic() - t0:.2f} s")
    finally:
        worker.send_signal(signal.SIGTERM)
        out, _ = worker.communicate(timeout=30)
        redis.stop()
    assert worker.returncode == 0, out
    assert "Redis is unreachable" in out and "Redis is back" in out
