"""Safe use of the public API for every route behind the gateway: rate limits and Idempotency-Key.

Both are pure ASGI middleware on /api/v1/, keyed by the caller's credential (the bearer token, or the
browser session): one token is one bucket and one key space, without a database look-up."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit.errors import PROBLEM_MEDIA_TYPE, problem_body

log = logging.getLogger("effekt.gateway.safety")
PREFIX = "/api/v1/"
KEY_RE = re.compile(r"^[\x21-\x7e]{1,200}$")
IDEMPOTENCY_TTL = 24 * 3600
IN_FLIGHT_TTL = 120
REPLAYED = b"idempotent-replayed"
KEPT = (b"content-type", b"location", b"etag", b"link")


def credential(scope: Scope) -> str | None:
    """A stable digest of who calls: the Authorization header, else the session cookie."""
    auth = cookie = None
    for key, value in scope["headers"]:
        if key == b"authorization":
            auth = value
        elif key == b"cookie":
            cookie = value
    raw = auth or _session_cookie(cookie)
    return hashlib.sha256(raw).hexdigest()[:32] if raw else None


def _session_cookie(cookie: bytes | None) -> bytes | None:
    if not cookie:
        return None
    for part in cookie.split(b";"):
        name, _, value = part.strip().partition(b"=")
        if name == b"effekt_session" and value:
            return value
    return None


async def _problem(send: Send, status: int, title: str, detail: str, *, slug: str, headers=(), errors=None) -> None:
    body = json.dumps(problem_body(status, title, detail, slug=slug, errors=errors)).encode()
    out = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body})


class RateLimitMiddleware:
    """A fixed window per credential in Redis; an in-process window when Redis cannot answer (and a log line).

    Every answer carries RateLimit-Limit, -Remaining and -Reset; over the limit it is a 429 with Retry-After."""

    def __init__(self, app: ASGIApp, limit: int, window: int = 60):
        self.app = app
        self.limit = limit
        self.window = window
        self.local: dict[str, int] = {}
        self.degraded = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        who = credential(scope) if scope["type"] == "http" and scope["path"].startswith(PREFIX) else None
        if who is None or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        used, reset = await self.hit(scope["app"].state.redis, who)
        headers = [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(max(0, self.limit - used)).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]
        if used > self.limit:
            detail = f"At most {self.limit} requests per {self.window} s for one token; retry in {reset} s."
            await _problem(
                send,
                429,
                "Too many requests",
                detail,
                slug="rate-limited",
                headers=[*headers, (b"retry-after", str(reset).encode())],
            )
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def hit(self, redis: Any, who: str) -> tuple[int, int]:
        """Count one request; the count in this window and the seconds until it ends."""
        now = time.time()
        slot = int(now // self.window)
        reset = max(1, int((slot + 1) * self.window - now))
        key = f"effekt:ratelimit:{who}:{slot}"
        try:
            async with redis.pipeline(transaction=True) as pipe:
                used, _ = await pipe.incr(key).expire(key, self.window * 2).execute()
            if self.degraded:
                log.warning("rate limits are counted in Redis again")
                self.degraded = False
            return int(used), reset
        except Exception as exc:
            if not self.degraded:
                log.warning("Redis cannot count rate limits (%s): counting in this process", type(exc).__name__)
                self.degraded = True
            if len(self.local) > 50_000:
                self.local.clear()
            self.local[key] = self.local.get(key, 0) + 1
            return self.local[key], reset


class IdempotencyMiddleware:
    """POST with Idempotency-Key: the same key and request within 24 h answers the first answer again.

    The same key with another request is a 422; while the first is still running, a 409. Answers of 5xx,
    401 and 429 are not kept (the call did not happen), so the client may retry with the same key."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        key = next((v for k, v in scope["headers"] if k == b"idempotency-key"), None)
        who = credential(scope)
        if key is None or who is None:
            await self.app(scope, receive, send)
            return
        raw = key.decode("latin-1")
        if not KEY_RE.match(raw):
            await _problem(
                send,
                400,
                "Bad request",
                "Idempotency-Key: use 1–200 visible ASCII characters.",
                slug="bad-request",
                errors=[{"field": "Idempotency-Key", "pointer": "", "detail": "1–200 visible ASCII characters"}],
            )
            return
        body = await _read_body(receive)
        fingerprint = hashlib.sha256(scope["path"].encode() + b"?" + scope["query_string"] + b"\n" + body).hexdigest()
        store_key = f"effekt:idempotency:{who}:{hashlib.sha256(key).hexdigest()[:32]}"
        await self._run(scope, receive, send, scope["app"].state.redis, store_key, fingerprint, body)

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, redis: Any, store_key: str, fingerprint: str, body: bytes
    ) -> None:
        pending = json.dumps({"fingerprint": fingerprint, "pending": True})
        try:
            fresh = await redis.set(store_key, pending, nx=True, ex=IN_FLIGHT_TTL)
            kept = None if fresh else await redis.get(store_key)
        except Exception as exc:
            log.warning("Redis cannot keep idempotency keys (%s)", type(exc).__name__)
            detail = "Idempotency-Key cannot be honoured right now; retry shortly."
            await _problem(
                send, 503, "Service unavailable", detail, slug="unavailable", headers=[(b"retry-after", b"5")]
            )
            return
        if not fresh:
            await self._answer_kept(send, kept, fingerprint)
            return
        answer = _Recorder(send)
        try:
            await self.app(scope, _replay_body(body, receive), answer)
        finally:
            await self._keep(redis, store_key, fingerprint, answer)

    async def _answer_kept(self, send: Send, kept: Any, fingerprint: str) -> None:
        record = json.loads(kept) if kept else {"fingerprint": fingerprint, "pending": True}
        if record["fingerprint"] != fingerprint:
            detail = "This Idempotency-Key was used for another request; use a new key for a new request."
            error = {"field": "Idempotency-Key", "pointer": "", "detail": "already used for another request"}
            await _problem(send, 422, "Invalid input", detail, slug="invalid", errors=[error])
        elif record.get("pending"):
            detail = "A request with this Idempotency-Key is still running; retry when it has answered."
            await _problem(send, 409, "Conflict", detail, slug="conflict", headers=[(b"retry-after", b"1")])
        else:
            headers = [(k.encode(), v.encode()) for k, v in record["headers"]] + [(REPLAYED, b"true")]
            content = base64.b64decode(record["body"])
            headers.append((b"content-length", str(len(content)).encode()))
            await send({"type": "http.response.start", "status": record["status"], "headers": headers})
            await send({"type": "http.response.body", "body": content})

    async def _keep(self, redis: Any, store_key: str, fingerprint: str, answer: _Recorder) -> None:
        try:
            if answer.status is None or answer.status >= 500 or answer.status in (401, 429):
                await redis.delete(store_key)
                return
            record = {
                "fingerprint": fingerprint,
                "status": answer.status,
                "headers": answer.headers,
                "body": base64.b64encode(answer.body).decode(),
            }
            await redis.set(store_key, json.dumps(record), ex=IDEMPOTENCY_TTL)
        except Exception as exc:
            log.warning("could not keep the answer of an idempotent request (%s)", type(exc).__name__)


class _Recorder:
    """Passes the answer on while keeping a copy of its status, main headers and body."""

    def __init__(self, send: Send):
        self.send = send
        self.status: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.body = b""

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", []) if k.lower() in KEPT
            ]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
        await self.send(message)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay_body(body: bytes, receive: Receive) -> Receive:
    """The body read already, then the client's own receive (which tells of a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
