"""arq on Redis: one queue per service, a lazy pool, and the worker heartbeat."""

from __future__ import annotations

import time
from typing import Any

from arq.connections import ArqRedis, RedisSettings
from redis.asyncio import ConnectionPool

HEARTBEAT_TTL = 180


def queue_name(service: str) -> str:
    return f"effekt:{service}:queue"


def heartbeat_key(service: str) -> str:
    return f"effekt:{service}:worker:heartbeat"


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


def lazy_pool(url: str) -> ArqRedis:
    """A pool that connects on first use, so a service starts (and reports not ready) while Redis is down."""
    return ArqRedis(connection_pool=ConnectionPool.from_url(url, socket_connect_timeout=2, socket_timeout=5))


def make_heartbeat(service: str):
    """An arq job that records when this service's worker last ran (shown by the gateway's /healthz)."""

    async def record_heartbeat(ctx: dict[str, Any]) -> float:
        now = time.time()
        await ctx["redis"].set(heartbeat_key(service), str(now), ex=HEARTBEAT_TTL)
        return now

    return record_heartbeat
