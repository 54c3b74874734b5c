"""`effekt up`: gateway, UI, services and workers in one process, each service on its own loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Iterator

import uvicorn

from effekt.registry import KEEP_ALIVE_SECONDS, PARTS, SERVICES
from kit import embedded_redis
from kit.queue import run_worker

log = logging.getLogger("effekt.up")
WATCH_EVERY = 0.25  # seconds between looks at the embedded redis-server


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the runner, so several share one loop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def publish_service_ports(host: str, gateway_socket: socket.socket) -> dict[str, socket.socket]:
    """Bind each service to a free loopback port; tell the gateway where they are and them where it is."""
    os.environ["EFFEKT_GATEWAY_URL"] = f"http://{host}:{gateway_socket.getsockname()[1]}"
    sockets = {}
    for name in SERVICES:
        sock = bind(host, 0)
        sockets[name] = sock
        os.environ[f"EFFEKT_GATEWAY_{name.upper()}_URL"] = f"http://{host}:{sock.getsockname()[1]}"
    return sockets


class Stack:
    """The running set: servers and workers, started and stopped together."""

    def __init__(
        self,
        gateway_socket: socket.socket,
        service_sockets: dict[str, socket.socket],
        redis_url: str,
        *,
        workers: bool = True,
    ):
        self.sockets = {"gateway": gateway_socket, **service_sockets}
        self.redis_url = redis_url
        self.with_workers = workers
        self.servers: dict[str, EmbeddedServer] = {}
        self.serving: dict[str, asyncio.Task] = {}
        self.tasks: list[asyncio.Task] = []
        self.worker_tasks: list[asyncio.Task] = []

    def start_server(self, name: str, sock: socket.socket) -> asyncio.Task:
        """Serve one part on a bound socket."""
        config = uvicorn.Config(
            PARTS[name].create_app(),
            log_config=None,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=5,
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
            proxy_headers=False,  # the gateway trusts X-Forwarded-* from its configured proxies only
        )
        server = EmbeddedServer(config)
        self.servers[name] = server
        self.sockets[name] = sock
        task = asyncio.create_task(server.serve(sockets=[sock]), name=f"serve-{name}")
        self.serving[name] = task
        self.tasks.append(task)
        return task

    async def stop_server(self, name: str) -> None:
        """Stop one part while the others keep running (how tests see a service go down)."""
        self.servers[name].should_exit = True
        await asyncio.wait_for(asyncio.shield(self.serving[name]), timeout=15)

    async def start(self) -> None:
        for name in (*SERVICES, "gateway"):
            self.start_server(name, self.sockets[name])
        if self.with_workers:
            for name in SERVICES:
                settings = PARTS[name].worker_settings(self.redis_url)
                self.worker_tasks.append(asyncio.create_task(run_worker(settings, name=name), name=f"worker-{name}"))
        while not all(s.started for s in self.servers.values()):
            for task in self.tasks:
                if task.done():
                    task.result()  # a server that died while starting raises here
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        for server in self.servers.values():
            server.should_exit = True
        for task in self.worker_tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, *self.worker_tasks, return_exceptions=True)


async def watch_embedded_redis() -> None:
    """Start the embedded redis-server again whenever it dies; the workers and pools reconnect by themselves."""
    while True:
        await asyncio.sleep(WATCH_EVERY)
        try:
            embedded_redis.restart_if_dead()
        except RuntimeError as exc:  # it did not come up: say so, and try again
            log.error("%s", exc)
            await asyncio.sleep(2)


async def serve_until_stopped(stack: Stack, on_ready=None) -> None:
    """Run the stack until SIGINT or SIGTERM, then stop everything."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    watchdog = asyncio.create_task(watch_embedded_redis()) if embedded_redis.embedded() else None
    await stack.start()
    if on_ready:
        on_ready()
    failed = asyncio.ensure_future(_first_failure(stack))
    await asyncio.wait([asyncio.ensure_future(stop.wait()), failed], return_when=asyncio.FIRST_COMPLETED)
    await stack.stop()
    if watchdog is not None:
        watchdog.cancel()
    if failed.done() and failed.exception():
        raise failed.exception()
    failed.cancel()


async def _first_failure(stack: Stack) -> None:
    done, _ = await asyncio.wait([*stack.tasks, *stack.worker_tasks], return_when=asyncio.FIRST_EXCEPTION)
    for task in done:
        if not task.cancelled() and task.exception():
            raise task.exception()
