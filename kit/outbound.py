"""Outbound URLs a workspace supplies (a self-hosted Matomo, a webhook endpoint) never reach inside the network.

A URL whose host is, or resolves to, a loopback, private, link-local, multicast, reserved or unspecified address
is refused unless the operator allows that range (EFFEKT_OUTBOUND_ALLOW: "loopback", "private", "link-local" or
CIDRs; tests and `effekt up` allow loopback). Check when the URL is saved (`check_url`, a clear message for a
422 naming the field) and again right before each request (`check_url` again: DNS may have changed since)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

from kit.settings import common

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAMED = {
    "loopback": ("127.0.0.0/8", "::1/128"),
    "private": ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"),
    "link-local": ("169.254.0.0/16", "fe80::/10"),
}


class OutboundRefused(ValueError):
    """The URL may not be called from here; the message says why, in words for the person who typed it."""


def allowed_networks(spec: str | None = None) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """The ranges the operator allows, from EFFEKT_OUTBOUND_ALLOW (or `spec`)."""
    spec = common().outbound_allow if spec is None else spec
    networks = []
    for item in filter(None, (part.strip().lower() for part in spec.split(","))):
        for cidr in NAMED.get(item, (item,)):
            networks.append(ipaddress.ip_network(cidr, strict=False))
    return networks


def _internal(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check_address(address: IPAddress, allow: list | None = None) -> None:
    """Refuse an internal address outside the allowed ranges."""
    allow = allowed_networks() if allow is None else allow
    if _internal(address) and not any(address in network for network in allow):
        raise OutboundRefused(
            f"{address} is a private, loopback or link-local address; Effekt only calls public addresses "
            "unless the operator allows this range (EFFEKT_OUTBOUND_ALLOW)"
        )


def _parse(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused("Enter a full http:// or https:// address")
    if parts.username or parts.password:
        raise OutboundRefused("Leave credentials out of the address; they go in the connector's secret fields")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise OutboundRefused("The port in the address is not a number between 1 and 65535") from None
    return parts.hostname, port


def _literal(host: str, allow: list) -> bool:
    """True when `host` is an IP literal (checked here); False when it is a name to resolve."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    check_address(address, allow)
    return True


def _check_resolved(infos: list, allow: list) -> None:
    for *_, sockaddr in infos:
        check_address(ipaddress.ip_address(sockaddr[0].split("%", 1)[0]), allow)


async def check_url(url: str, *, allow: list | None = None) -> None:
    """Refuse `url` when its host is, or resolves to, an address outside the public internet and the allowed ranges.

    Every address the name resolves to must pass (a name with one public and one private address is refused)."""
    host, port = _parse(url)
    allow = allowed_networks() if allow is None else allow
    if _literal(host, allow):
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise OutboundRefused(f"The name {host} could not be resolved") from None
    _check_resolved(infos, allow)


def check_url_blocking(url: str, *, allow: list | None = None) -> None:
    """`check_url` for code off the event loop (a service rule run in the thread pool)."""
    host, port = _parse(url)
    allow = allowed_networks() if allow is None else allow
    if _literal(host, allow):
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise OutboundRefused(f"The name {host} could not be resolved") from None
    _check_resolved(infos, allow)


class OutboundGuard:
    """An httpx request hook refusing internal targets, every request (redirects included) of one client.

    A host is checked once per guard: a run's hundreds of requests to one vendor cost one lookup."""

    def __init__(self, allow: list | None = None):
        self.allow = allowed_networks() if allow is None else allow
        self._passed: set[tuple[str, int]] = set()

    async def __call__(self, request: httpx.Request) -> None:
        url = str(request.url)
        target = _parse(url)
        if target not in self._passed:
            await check_url(url, allow=self.allow)
            self._passed.add(target)
