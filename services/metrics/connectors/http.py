"""Calling a vendor: retries with back-off for 5xx and timeouts, 429 honoured by its Retry-After, errors in words.

Every error a caller sees is a VendorError whose message says what the vendor answered and what to do; no
secret is ever part of a URL here (tokens go in headers or POST bodies), so nothing logs one."""

from __future__ import annotations

import asyncio
import email.utils
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt

from kit.outbound import OutboundGuard, OutboundRefused

MAX_BODY = 20 * 1024 * 1024  # a vendor answer larger than this is refused, not parsed
TRANSIENT = {500, 502, 503, 504}


class VendorError(Exception):
    """A vendor call failed; the message is for people ("Matomo answered 401: ...")."""


class _Transient(VendorError):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    attempts: int = 4
    backoff: float = 0.5  # seconds; doubles each attempt
    max_retry_after: float = 120.0  # a vendor asking for a longer wait fails the run instead of blocking a worker
    timeout: float = 30.0
    concurrency: int = 4  # requests in flight per connector run: below every vendor's documented limit


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


class Vendor:
    """One vendor's HTTP conversation for one run: a shared client, a cap on requests in flight, retries."""

    def __init__(self, label: str, client: httpx.AsyncClient, *, limits: Limits, unauthorized: str):
        self.label = label
        self.client = client
        self.limits = limits
        self.unauthorized = unauthorized  # what a 401/403 means for this vendor, in its own words
        self._slots = asyncio.Semaphore(limits.concurrency)
        self.requests = 0

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The vendor's 2xx answer; VendorError otherwise, after retrying what may pass."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.limits.attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda exc: isinstance(exc, _Transient)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._once(method, url, **kwargs)
        except _Transient as exc:
            raise VendorError(f"{exc} ({self.limits.attempts} attempts)") from None
        raise AssertionError("unreachable")

    def _wait(self, state) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return exc.retry_after
        return self.limits.backoff * 2 ** (state.attempt_number - 1)

    async def _once(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async with self._slots:
            self.requests += 1
            try:
                resp = await self.client.request(method, url, **kwargs)
            except OutboundRefused as exc:
                raise VendorError(f"{self.label} was not called: {exc}") from None
            except httpx.TimeoutException:
                raise _Transient(f"{self.label} did not answer in {self.limits.timeout:g} s") from None
            except httpx.HTTPError as exc:
                raise _Transient(f"{self.label} could not be reached ({type(exc).__name__})") from None
        return self._check(resp)

    def _check(self, resp: httpx.Response) -> httpx.Response:
        code = resp.status_code
        if code < 300:
            if len(resp.content) > MAX_BODY:
                raise VendorError(f"{self.label} answered with more than {MAX_BODY // 2**20} MiB")
            return resp
        said = _said(resp)
        if code in (401, 403):
            raise VendorError(f"{self.label} answered {code}: {self.unauthorized}{said}")
        if code == 429:
            wait = _retry_after(resp.headers.get("retry-after"))
            if wait is not None and wait > self.limits.max_retry_after:
                raise VendorError(f"{self.label} answered 429: its rate limit asks to wait {wait:.0f} s; try later")
            raise _Transient(f"{self.label} answered 429: rate limit reached", wait)
        if code in TRANSIENT:
            raise _Transient(f"{self.label} answered {code}: it is having trouble{said}")
        if code == 404:
            raise VendorError(f"{self.label} answered 404: the site, property or address was not found{said}")
        raise VendorError(f"{self.label} answered {code}{said}")

    async def json(self, method: str, url: str, **kwargs: Any) -> Any:
        """The vendor's answer parsed as JSON; VendorError when it is not JSON."""
        resp = await self.request(method, url, **kwargs)
        try:
            return resp.json()
        except ValueError:
            raise VendorError(f"{self.label} answered with something that is not JSON") from None


def _said(resp: httpx.Response) -> str:
    """The vendor's own short error message, if it gave one."""
    try:
        body = resp.json()
    except ValueError:
        return ""
    message = _message(body)
    return f" ({message[:200]})" if message else ""


def _message(body: Any) -> str | None:
    if isinstance(body, Mapping):
        for key in ("error", "message", "detail", "errorMessages", "description"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, list) and value and isinstance(value[0], str):
                return value[0]
            if isinstance(value, Mapping):
                return _message(value)
    return None


@lru_cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every run: loading the CA bundle costs ~0.25 s, more than a whole small pull."""
    return ssl.create_default_context()


def make_client(limits: Limits) -> httpx.AsyncClient:
    """An async client with the run's timeout; connection reuse across a run's requests; no internal targets."""
    return httpx.AsyncClient(
        timeout=limits.timeout,
        follow_redirects=False,
        headers={"user-agent": "Effekt"},
        verify=_tls(),
        event_hooks={"request": [OutboundGuard()]},
    )
