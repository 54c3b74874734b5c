"""Conditional and safe writes for every resource of a service, as one pure ASGI middleware.

- Every JSON answer of a read or write carries a strong `ETag`: a hash of the representation's bytes.
- A PATCH, PUT or DELETE with `If-Match` is checked against the ETag of the record it writes (the GET of its
  path, or of the nearest enclosing record: /cycles/7/items/3 is part of /cycles/7), 412 when stale. The
  check and the write hold one lock per record in this process, so two writers with the same ETag cannot
  both pass.
- A 201 whose body has an `id` and no `Location` gets `Location: <collection path>/<id>`.
- A list whose body carries `next` gets `Link: <next>; rel="next"`.

Routes do nothing for any of it: a new resource is born with it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from typing import Any

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kit.errors import PROBLEM_MEDIA_TYPE, problem_body

WRITES = frozenset({"PATCH", "PUT", "DELETE"})
TAGGED = frozenset({"GET", "POST", "PUT", "PATCH"})
DROP_ON_READ = {b"content-length", b"content-type", b"if-match", b"idempotency-key"}


def etag_of(body: bytes) -> str:
    """The strong ETag of a representation."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_match: str, etag: str | None) -> bool:
    """RFC 9110 If-Match: `*` matches any current representation; else one of the listed tags, compared
    strongly (a weak tag never matches)."""
    if etag is None:
        return False
    tags = [t.strip() for t in if_match.split(",") if t.strip()]
    return "*" in tags or etag in tags


class ConditionalMiddleware:
    """ETag, If-Match, Location and Link for every /api/ route of the app below."""

    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...] = ("/api/",)):
        self.app = app
        self.prefixes = prefixes
        self.patterns: list[re.Pattern] | None = None
        self.singletons: set[str] = set()
        self.locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if_match = _header(scope, b"if-match")
        if method in WRITES and if_match is not None and not WELL_FORMED_TAGS.match(if_match):
            await _malformed_if_match(scope, send)  # the documented header is 1-200 printable characters
        elif method in WRITES and if_match is not None:
            await self._guarded(scope, receive, send, if_match)
        elif method in TAGGED:
            await self.app(scope, receive, _Tagger(scope, send))
        else:
            await self.app(scope, receive, send)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, if_match: str) -> None:
        record = self._record_path(scope)
        key = record or scope["path"]
        lock, users = self.locks.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                status, etag = await self._current(scope, record) if record else (404, None)
                if status == 200 and not matches(if_match, etag):
                    await _precondition_failed(scope, send, etag)
                    return
                # A missing record (404) is the write's own answer to give; other statuses likewise.
                await self.app(scope, receive, _Tagger(scope, send) if scope["method"] != "DELETE" else send)
        finally:
            users[0] -= 1
            if not users[0]:
                self.locks.pop(key, None)

    def _record_path(self, scope: Scope) -> str | None:
        """The path of the record a write changes: its own GET, else the nearest enclosing one."""
        parts = scope["path"].rstrip("/").split("/")
        readable = self._readable(scope.get("app"))
        if "/".join(parts) in self.singletons:  # a settings resource: its own GET is the record, no id needed
            return "/".join(parts)
        while len(parts) > 3:
            path = "/".join(parts)
            if any(pattern.match(path) for pattern in readable):
                return path
            parts.pop()
        return None

    def _readable(self, app: Any) -> list[re.Pattern]:
        """The documented GET paths with an id in them (a record, not a list), as patterns, built once."""
        if self.patterns is None:
            paths = (app.openapi().get("paths", {}) if app is not None else {}).items()
            templates = [path for path, item in paths if "get" in item and "{" in path]
            self.patterns = [compile_path(t)[0] for t in templates]
            self.singletons = {path for path, item in paths if "get" in item and "{" not in path and _writable(item)}
        return self.patterns

    async def _current(self, scope: Scope, path: str) -> tuple[int, str | None]:
        """Status and ETag of the record now, read as the same caller through the same app."""
        headers = [(k, v) for k, v in scope["headers"] if k not in DROP_ON_READ]
        sub = {**scope, "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b""}
        sub["headers"] = headers
        out: dict[str, Any] = {"status": 500, "body": b""}

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def collect(message: Message) -> None:
            if message["type"] == "http.response.start":
                out["status"] = message["status"]
            elif message["type"] == "http.response.body":
                out["body"] += message.get("body", b"")

        await self.app(sub, receive, collect)
        return out["status"], etag_of(out["body"]) if out["status"] == 200 else None


class _Tagger:
    """A send() that holds a JSON 2xx answer to add ETag, Location and Link before passing it on."""

    def __init__(self, scope: Scope, send: Send):
        self.scope = scope
        self.send = send
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            if 200 <= message["status"] < 300 and _is_json(message):
                self.start = message
                return
            await self.send(message)
            return
        if self.start is None or message["type"] != "http.response.body":
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = b"".join(self.chunks)
        headers = [(k, v) for k, v in self.start.get("headers", [])]
        names = {k.lower() for k, _ in headers}
        if b"etag" not in names:
            headers.append((b"etag", etag_of(body).encode()))
        for name, value in _links(self.scope, self.start["status"], body, names):
            headers.append((name, value.encode()))
        await self.send({**self.start, "headers": headers})
        await self.send({"type": "http.response.body", "body": body, "more_body": False})


def _writable(item: dict[str, Any]) -> bool:
    """A path read and replaced in place (GET with PUT or PATCH): a singleton, such as a workspace's settings."""
    return "put" in item or "patch" in item


def _links(scope: Scope, status: int, body: bytes, names: set[bytes]) -> list[tuple[bytes, str]]:
    wants_location = status == 201 and b"location" not in names
    wants_link = b"link" not in names and b'"next":"' in body
    if not (wants_location or wants_link):
        return []
    try:
        data = json.loads(body)
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    out: list[tuple[bytes, str]] = []
    if wants_location and isinstance(data.get("id"), int):
        out.append((b"location", f"{scope['path'].rstrip('/')}/{data['id']}"))
    if wants_link and isinstance(data.get("next"), str):
        out.append((b"link", f'<{data["next"]}>; rel="next"'))
    return out


def _is_json(message: Message) -> bool:
    for key, value in message.get("headers", []):
        if key.lower() == b"content-type":
            return value.startswith(b"application/json")
    return False


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


WELL_FORMED_TAGS = re.compile(r"^[\x20-\x7e]{1,200}$")


async def _malformed_if_match(scope: Scope, send: Send) -> None:
    detail = "If-Match must be `*` or ETags, at most 200 printable characters."
    body = json.dumps(problem_body(400, "Bad request", detail, slug="bad-request", instance=scope["path"])).encode()
    headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _precondition_failed(scope: Scope, send: Send, etag: str | None) -> None:
    detail = "The record changed since you read it: read it again and retry with its current ETag."
    body = json.dumps(
        problem_body(412, "Precondition failed", detail, slug="precondition-failed", instance=scope["path"])
    ).encode()
    headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    if etag:
        headers.append((b"etag", etag.encode()))
    await send({"type": "http.response.start", "status": 412, "headers": headers})
    await send({"type": "http.response.body", "body": body})
