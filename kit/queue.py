"""arq on Redis: one queue per service, a lazy pool, the worker heartbeat, and a worker that outlives Redis."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any

from arq import cron
from arq.connections import ArqRedis, RedisSettings
from arq.cron import CronJob
from arq.worker import Worker
from redis.asyncio import ConnectionPool
from redis.exceptions import RedisError

HEARTBEAT_TTL = 180
# What Redis going away looks like from redis-py and arq: refused or reset connections, timeouts, LOADING.
REDIS_DOWN = (RedisError, OSError, asyncio.TimeoutError)
FIRST_RETRY, LAST_RETRY = 0.5, 5.0  # seconds: the back-off between attempts doubles from the first to the last
STEADY = 30.0  # a worker that ran this long before Redis went away starts the back-off from the beginning again
GRACE = 3.0  # seconds running jobs get to finish when Redis has gone away, before they are cancelled
log = logging.getLogger("effekt.worker")


def queue_name(service: str) -> str:
    return f"effekt:{service}:queue"


def heartbeat_key(service: str) -> str:
    return f"effekt:{service}:worker:heartbeat"


def redis_settings(url: str) -> RedisSettings:
    # One quick connection attempt: run_worker does the retrying, with a back-off, for as long as it takes.
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = 0
    settings.conn_timeout = 2
    return settings


def lazy_pool(url: str) -> ArqRedis:
    """A pool that connects on first use, so a service starts (and reports not ready) while Redis is down."""
    return ArqRedis(connection_pool=ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=5))


def make_heartbeat(service: str):
    """An arq job that records when this service's worker last ran (shown by the gateway's /healthz)."""

    async def record_heartbeat(ctx: dict[str, Any]) -> float:
        now = time.time()
        await ctx["redis"].set(heartbeat_key(service), str(now), ex=HEARTBEAT_TTL)
        return now

    record_heartbeat.__qualname__ = f"record_heartbeat_{service}"
    return record_heartbeat


def heartbeat_cron(service: str) -> CronJob:
    """The heartbeat every 30 s. Its name is the service's own: a cron job's id is its name and the minute, and
    job ids are global in Redis, so the workers of three services sharing one name recorded one beat a tick."""
    return cron(
        make_heartbeat(service), name=f"cron:{service}:heartbeat", second={0, 30}, unique=True, run_at_startup=True
    )


async def run_worker(settings: dict[str, Any], *, name: str, **options: Any) -> None:
    """Run an arq worker until cancelled (or, in burst mode, until the queue is empty), whatever Redis does.

    arq's Worker ends with the ConnectionError when Redis goes away. Here the broken worker lets go (running jobs
    get GRACE seconds), then a fresh one is started after a back-off from FIRST_RETRY doubling to LAST_RETRY
    seconds, for ever: when Redis is back the worker resumes by itself, its crons (heartbeat included) first."""
    delay = FIRST_RETRY
    down_since: float | None = None
    while True:
        worker = Worker(**settings, handle_signals=False, **options)
        started = time.monotonic()
        try:
            await worker.async_run()
            return
        except REDIS_DOWN as exc:
            if down_since is None:
                down_since = time.monotonic()
                log.warning("%s worker: Redis is unreachable (%s); retrying with back-off", name, _reason(exc))
        except asyncio.CancelledError:
            await _close(worker)
            raise
        await _let_go(worker)
        if time.monotonic() - started > STEADY:
            delay = FIRST_RETRY
        await asyncio.sleep(delay * random.uniform(0.8, 1.2))
        delay = min(delay * 2, LAST_RETRY)
        if down_since is not None and await _reachable(settings["redis_settings"]):
            log.warning("%s worker: Redis is back after %.1f s; resuming", name, time.monotonic() - down_since)
            down_since, delay = None, FIRST_RETRY


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def _reachable(settings: RedisSettings) -> bool:
    from arq.connections import create_pool

    try:
        pool = await create_pool(settings)
    except REDIS_DOWN:
        return False
    await pool.aclose(close_connection_pool=True)
    return True


async def _let_go(worker: Worker) -> None:
    """Drop a worker whose Redis went away: its jobs get a moment to end, then its connections go."""
    tasks = [t for t in worker.tasks.values() if not t.done()]
    for task in tasks:
        task.add_done_callback(_quiet)
    if tasks:
        _, pending = await asyncio.wait(tasks, timeout=GRACE)
        for task in pending:  # arq runs them again when Redis is back (jobs are idempotent)
            task.cancel()
    await _drop_pool(worker)


async def _drop_pool(worker: Worker) -> None:
    """Close the worker's connections to Redis, if it still has them."""
    if worker._pool is not None:
        try:
            await asyncio.wait_for(worker._pool.aclose(close_connection_pool=True), timeout=2)
        except (*REDIS_DOWN, RuntimeError):
            pass
        worker._pool = None


async def _close(worker: Worker) -> None:
    """Stop a worker on shutdown; with Redis away, its bookkeeping there is skipped."""
    try:
        await asyncio.wait_for(worker.close(), timeout=10)
    except (*REDIS_DOWN, asyncio.CancelledError, RuntimeError):
        pass
    # arq's close() ends early (the CancelledError of the jobs it cancels) without closing its pool: a connection
    # left open makes a worker that started the embedded Redis leave it running "for other clients" on exit.
    await _drop_pool(worker)


def _quiet(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as never retrieved
