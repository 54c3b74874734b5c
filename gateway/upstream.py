"""One pooled aiohttp client per service: a queue in front of it, timeouts, retries for idempotent requests, 503s.

The queue: at most `concurrency` requests are in flight to a service; the others wait here, in the order they came.
Measured with 50 users on PostgreSQL per service (bench/load.py): every request let through at once made each
service juggle dozens (p99/p50 about 6); four at a time served 60 % more requests and evened their waits out, since
a wait in one FIFO queue is the same for everyone while waits spread over the services' event loops, thread pools
and the operating system's scheduler are not."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from gateway.auth import Signer
from kit.errors import BadGateway, Unavailable
from kit.identity import IDENTITY_HEADER, Principal
from kit.observability import REQUEST_ID_HEADER, request_id_var

log = logging.getLogger("effekt.gateway.upstream")
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE = (aiohttp.ClientConnectionError, asyncio.TimeoutError)
PASS_HEADERS = (
    "content-type",
    "location",
    "retry-after",
    "content-disposition",
    "etag",
    "cache-control",
    "last-modified",
    "vary",
    "link",
)
FORWARD_HEADERS = frozenset({"content-type", "accept", "if-none-match", "if-match", "accept-language"})


class Upstreams:
    """The services behind the gateway, by name."""

    def __init__(
        self,
        urls: dict[str, str],
        signer: Signer,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 2.0,
        concurrency: int = 4,
    ):
        self.urls = urls
        self.signer = signer
        self.concurrency = concurrency
        self.queues: dict[str, asyncio.Semaphore] = {}  # made in start(), in the loop that serves
        self.timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=connect_timeout)
        self.sessions: dict[str, aiohttp.ClientSession] = {}

    async def start(self) -> None:
        for name, url in self.urls.items():
            self.queues[name] = asyncio.Semaphore(self.concurrency)  # fair: the longest waiting goes first
            connector = aiohttp.TCPConnector(limit=256, keepalive_timeout=30, ttl_dns_cache=300)
            self.sessions[name] = aiohttp.ClientSession(
                base_url=url,
                connector=connector,
                timeout=self.timeout,
                auto_decompress=False,
                skip_auto_headers=("User-Agent",),
            )

    async def close(self) -> None:
        for session in self.sessions.values():
            await session.close()
        self.sessions.clear()

    def identity_headers(self, principal: Principal | None) -> dict[str, str]:
        headers = {REQUEST_ID_HEADER: request_id_var.get()}
        if principal is not None:
            headers[IDENTITY_HEADER] = self.signer.sign(principal)
        return headers

    async def send(
        self,
        service: str,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        body: bytes | None = None,
        params: Any = None,
        queued: bool = True,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send one request once it is its turn (`queued=False`: at once, for a service's own call to another);
        retry connection failures of idempotent methods; map failures to 503."""
        if not queued:
            return await self._send(service, method, path, headers=headers, body=body, params=params)
        queue = self.queues[service]
        try:  # a service that hangs must not keep the requests behind it waiting for ever: as long as one answer
            await asyncio.wait_for(queue.acquire(), timeout=self.timeout.total)
        except TimeoutError:
            busy = f"The {service} service is too busy to answer now."
            raise Unavailable(busy, headers={"Retry-After": "5"}) from None
        try:
            return await self._send(service, method, path, headers=headers, body=body, params=params)
        finally:
            queue.release()

    async def _send(
        self, service: str, method: str, path: str, *, headers: dict[str, str], body: bytes | None, params: Any
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        session = self.sessions[service]
        attempts = 3 if method in IDEMPOTENT else 1
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(attempts),
                reraise=True,
                wait=wait_exponential(multiplier=0.05, max=0.5),
                retry=retry_if_exception_type(RETRYABLE),
            ):
                with attempt:
                    async with session.request(
                        method, path, data=body, headers=headers, params=params, allow_redirects=False
                    ) as resp:
                        content = await resp.read()
                        kept = [(k, v) for k, v in resp.headers.items() if k.lower() in PASS_HEADERS]
                        return resp.status, kept, content
        except TimeoutError:
            raise Unavailable(f"The {service} service did not answer in time.", headers={"Retry-After": "5"}) from None
        except aiohttp.ClientConnectionError as exc:
            log.warning("%s unreachable: %s", service, exc)
            raise Unavailable(f"The {service} service is unavailable.", headers={"Retry-After": "5"}) from None
        raise AssertionError("unreachable")  # AsyncRetrying either returns or re-raises

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        principal: Principal | None,
        *,
        payload: Any = None,
        params: Any = None,
    ) -> tuple[int, Any]:
        """A JSON call on behalf of a principal (the frontend's way to reach services)."""
        headers = self.identity_headers(principal)
        body = None
        if payload is not None:
            headers["content-type"] = "application/json"
            body = json.dumps(payload, default=str).encode()
        status, _, content = await self.send(service, method, path, headers=headers, body=body, params=params)
        try:
            return status, json.loads(content) if content else None
        except ValueError:
            raise BadGateway(f"The {service} service sent a response that is not JSON.") from None

    async def health(self, service: str) -> dict[str, Any]:
        """Up or down, with the latency of its /healthz."""
        started = time.perf_counter()
        try:
            async with self.sessions[service].get("/healthz", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                await resp.read()
                up = resp.status == 200
        except (TimeoutError, aiohttp.ClientError):
            up = False
        return {
            "status": "up" if up else "down",
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            "url": self.urls[service],
        }

    async def openapi(self, service: str) -> dict[str, Any] | None:
        try:
            async with self.sessions[service].get("/openapi.json", timeout=aiohttp.ClientTimeout(total=5)) as resp:
                if resp.status == 200:
                    return await resp.json()
        except (TimeoutError, aiohttp.ClientError, ValueError):
            log.warning("no OpenAPI document from %s", service)
        return None
