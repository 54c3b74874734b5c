"""Effekt as real processes in tests: the command, a fresh laptop's environment, free ports, waiting for it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

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
