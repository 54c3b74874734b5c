"""Outbound URLs: internal addresses refused unless allowed, by literal address and by what a name resolves to."""

from __future__ import annotations

import ipaddress

import pytest

from kit.outbound import OutboundRefused, allowed_networks, check_url
from kit.testing import run_async


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/",
        "https://192.168.0.10/",
        "http://172.16.5.5/",
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata endpoint
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
    ],
)
def test_internal_addresses_are_refused_by_default(url):
    with pytest.raises(OutboundRefused, match="private, loopback or link-local"):
        run_async(check_url(url, allow=[]))


@pytest.mark.parametrize("url", ["ftp://example.com/", "example.com/hook", "http:///nohost", "http://u:p@8.8.8.8/"])
def test_what_is_not_a_plain_web_address_is_refused_in_words(url):
    with pytest.raises(OutboundRefused) as raised:
        run_async(check_url(url, allow=[]))
    assert str(raised.value)


def test_a_public_address_passes():
    run_async(check_url("https://8.8.8.8/webhook", allow=[]))
    run_async(check_url("http://[2001:4860:4860::8888]/", allow=[]))


def test_the_operator_allows_named_ranges_and_cidrs():
    loopback = allowed_networks("loopback")
    run_async(check_url("http://127.0.0.1:9/", allow=loopback))
    run_async(check_url("http://localhost:9/", allow=loopback))  # resolves to loopback only
    with pytest.raises(OutboundRefused):
        run_async(check_url("http://10.0.0.1/", allow=loopback))
    run_async(check_url("http://10.0.0.1/", allow=allowed_networks("private, link-local")))
    assert allowed_networks("192.0.2.0/24") == [ipaddress.ip_network("192.0.2.0/24")]
