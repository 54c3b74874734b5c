"""A local vendor on loopback: an HTTP server in a thread on an ephemeral port, serving recorded responses.

Each route answers from its script in order (the last answer repeats), so a test can say "503, then 200" or
"429 with Retry-After, then 200"; an answer may be a function of the request, for paging. Every request is
kept, so a test can check what the connector sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # JSON-able, or bytes/str sent as they are
    headers: dict[str, str] = field(default_factory=dict)


Script = Answer | Callable[[Seen], Answer]


def ok(body: Any, **headers: str) -> Answer:
    return Answer(200, body, headers)


class VendorServer:
    def __init__(self):
        self.routes: dict[tuple[str, str], list[Script]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _any(self):
                length = int(self.headers.get("content-length") or 0)
                parts = urlsplit(self.path)
                seen = Seen(
                    self.command,
                    parts.path,
                    parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                answer = server._answer(seen)
                body = answer.body
                if isinstance(body, str):
                    data, kind = body.encode(), "text/plain"
                elif isinstance(body, bytes):
                    data, kind = body, "application/octet-stream"
                else:
                    data, kind = json.dumps(body).encode(), "application/json"
                self.send_response(answer.status)
                headers = {"content-type": kind, **answer.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _any

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def on(self, method: str, path: str, *answers: Script) -> VendorServer:
        self.routes[(method, path)] = list(answers)
        return self

    def _answer(self, seen: Seen) -> Answer:
        with self._lock:
            self.seen.append(seen)
            script = self.routes.get((seen.method, seen.path))
            if not script:
                return Answer(404, {"error": f"no recorded answer for {seen.method} {seen.path}"})
            step = script.pop(0) if len(script) > 1 else script[0]
        return step(seen) if callable(step) else step

    def start(self) -> VendorServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
