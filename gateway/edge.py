"""The edge's own middleware: who the client is behind trusted proxies, and the security headers of every answer."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Only the app's own scripts and styles (htmx is vendored under /static); no inline script, style or handler.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Swagger UI (the /api/docs page only) sets style attributes in the markup it renders.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
DOCS_PATH = "/api/docs"
# The public feedback form (frontend/pages/feedback_form.py) is meant to be embedded in the customer's own site
# (the inbox offers an <iframe> snippet): any site may frame it. Every other page keeps refusing to be framed.
FRAMEABLE = re.compile(r"/feedback/form/[^/]+/?")
FRAMEABLE_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
HSTS = "max-age=31536000; includeSubDomains"
STATIC_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]


def parse_networks(value: str | Iterable[str]) -> tuple[Network, ...]:
    """'10.0.0.0/8, 192.168.1.5' → networks; a bad entry is a configuration error, raised at start."""
    items = value.split(",") if isinstance(value, str) else value
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


def _in(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_behind(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
    """The client's address: the peer itself, unless it is a trusted proxy; then the right-most address of
    X-Forwarded-For that is not a trusted proxy (what a client writes to the left of that is not believed)."""
    if not forwarded_for or not _in(peer, trusted):
        return peer
    client = peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        client = hop
        if not _in(hop, trusted):
            break
    return client


class TrustedProxies:
    """Sets the request's client address and scheme from X-Forwarded-For/-Proto, from trusted proxies only."""

    def __init__(self, app: ASGIApp, trusted: str | Iterable[str] = ""):
        self.app = app
        self.trusted = parse_networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted and scope.get("client"):
            peer, port = scope["client"]
            if _in(peer, self.trusted):
                headers = Headers(scope=scope)
                forwarded = ",".join(headers.getlist("x-forwarded-for"))
                scope = dict(scope, client=(client_behind(peer, forwarded, self.trusted), port))
                proto = (headers.get("x-forwarded-proto") or "").split(",")[-1].strip().lower()
                if proto in ("http", "https"):
                    scope["scheme"] = proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]
        await self.app(scope, receive, send)


class SecurityHeaders:
    """CSP, nosniff, Referrer-Policy, frame denial on every answer (but the public feedback form's, which any
    site may frame); HSTS when the request came over HTTPS."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        framed = FRAMEABLE.fullmatch(path) is not None
        csp = (DOCS_CSP if path == DOCS_PATH else FRAMEABLE_CSP if framed else CSP).encode()
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    headers.append("content-security-policy", csp.decode())
                for key, value in STATIC_HEADERS:
                    if framed and key == b"x-frame-options":
                        continue  # it knows no "any site"; frame-ancestors says it
                    if key.decode() not in headers:
                        headers.append(key.decode(), value.decode())
                if https:
                    headers.append("strict-transport-security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
