"""The sign-in rate limit: failures only, so it cannot be turned against the people it protects.

Three counters of failed sign-ins in a fixed window, each refusing further attempts when full:
- one account from one address (the lock an attacker's guesses run into: 5 by default), which the right
  password from that address clears;
- one account from anywhere (gentler: 50), so guesses spread over many addresses still stop;
- one address for any account (30), against one machine trying many accounts.
Five wrong passwords from an attacker's address lock that address out of the account, not its owner.
Successful sign-ins count nowhere: an office behind one address signs in as often as it likes.

The counters live in Redis, shared by every gateway process. While Redis is unreachable they are kept in this
process (and the log says so), so sign-in keeps working and keeps being limited.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from gateway.accounts import hash_secret, normalise_email
from kit.errors import RateLimited
from kit.queue import REDIS_DOWN

log = logging.getLogger("effekt.gateway.signin")
RETRY_REDIS_AFTER = 5.0  # seconds: how long a failed Redis call sends the counting to this process
REDIS_TIMEOUT = 1.0
LOCAL_MAX_KEYS = 100_000


@dataclass(frozen=True, slots=True)
class Limits:
    per_pair: int = 5
    per_account: int = 50
    per_address: int = 30
    window: int = 900


class LocalCounters:
    """Fixed-window counters in this process: the stand-in for Redis while it is away."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}

    def read(self, keys: list[str]) -> list[tuple[int, int]]:
        now = time.monotonic()
        out = []
        for key in keys:
            count, until = self._counts.get(key, (0, 0.0))
            out.append((count, int(until - now)) if until > now else (0, 0))
        return out

    def add(self, keys: list[str], window: int) -> None:
        now = time.monotonic()
        if len(self._counts) > LOCAL_MAX_KEYS:
            self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            if len(self._counts) > LOCAL_MAX_KEYS:  # a flood of addresses: forget rather than grow without end
                self._counts.clear()
        for key in keys:
            count, until = self._counts.get(key, (0, 0.0))
            self._counts[key] = (count + 1, until) if until > now else (1, now + window)

    def clear(self, key: str) -> None:
        self._counts.pop(key, None)


class SigninLimiter:
    """Checks and counts failed sign-ins by account and address (see the module's docstring)."""

    def __init__(self, redis, limits: Limits):
        self.redis = redis
        self.limits = limits
        self.local = LocalCounters()
        self._redis_after = 0.0  # monotonic time before which Redis is not tried again
        self._degraded = False

    @staticmethod
    def keys(email: str, address: str) -> tuple[str, str, str]:
        """The pair, account and address counters' keys."""
        account = hash_secret(normalise_email(email))
        return (
            f"effekt:signin:pair:{account}:{address}",
            f"effekt:signin:account:{account}",
            f"effekt:signin:address:{address}",
        )

    async def check(self, email: str, address: str) -> None:
        """Raise RateLimited (with Retry-After) if any counter of this attempt is full; counts nothing."""
        keys = self.keys(email, address)
        counts = await self._read(list(keys))
        caps = (self.limits.per_pair, self.limits.per_account, self.limits.per_address)
        waits = [ttl for (count, ttl), cap in zip(counts, caps, strict=True) if count >= cap]
        if waits:
            wait = max(max(waits), 60)
            minutes = max(1, round(wait / 60))
            unit = "minutes" if minutes > 1 else "minute"
            raise RateLimited(
                f"Too many failed sign-ins. Try again in {minutes} {unit}.", headers={"Retry-After": str(wait)}
            )

    async def failed(self, email: str, address: str) -> None:
        """Count a wrong email or password against the pair, the account and the address."""
        keys = list(self.keys(email, address))

        async def add() -> None:
            pipe = self.redis.pipeline()
            for key in keys:
                pipe.set(key, 0, ex=self.limits.window, nx=True)  # opens the window (EXPIRE NX needs Redis 7)
                pipe.incr(key)
            await pipe.execute()

        if not await self._redis(add):
            self.local.add(keys, self.limits.window)

    async def succeeded(self, email: str, address: str) -> None:
        """The right password clears this pair's failures (never the account's or the address's)."""
        pair = self.keys(email, address)[0]
        self.local.clear(pair)
        await self._redis(lambda: self.redis.delete(pair))

    async def _read(self, keys: list[str]) -> list[tuple[int, int]]:
        result: list[tuple[int, int]] = []

        async def read() -> None:
            pipe = self.redis.pipeline()
            for key in keys:
                pipe.get(key)
                pipe.ttl(key)
            values = await pipe.execute()
            result.extend((int(values[i] or 0), int(values[i + 1] or 0)) for i in range(0, len(values), 2))

        if not await self._redis(read):
            return self.local.read(keys)
        # What was counted here during an outage still counts until its window ends.
        local = self.local.read(keys)
        return [max(r, c) for r, c in zip(result, local, strict=True)]

    async def _redis(self, call) -> bool:
        """Run a Redis call; False (and counting in this process for a while) if Redis is unreachable."""
        if time.monotonic() < self._redis_after:
            return False
        try:
            await asyncio.wait_for(call(), timeout=REDIS_TIMEOUT)
        except REDIS_DOWN as exc:
            self._redis_after = time.monotonic() + RETRY_REDIS_AFTER
            if not self._degraded:
                self._degraded = True
                log.warning(
                    "Redis is unreachable (%s): sign-in limits are counted in this process until it is back",
                    type(exc).__name__,
                )
            return False
        if self._degraded:
            self._degraded = False
            log.warning("Redis is reachable again: sign-in limits are shared through it again")
        return True
