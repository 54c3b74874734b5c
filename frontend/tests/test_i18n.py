"""Which language a request gets: cookie, then the user's saved choice, then Accept-Language, then English."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from frontend import i18n


def request(cookie: str | None = None, accept: str | None = None) -> Request:
    headers = []
    if cookie is not None:
        headers.append((b"cookie", f"{i18n.COOKIE}={cookie}".encode()))
    if accept is not None:
        headers.append((b"accept-language", accept.encode()))
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("nb-NO,nb;q=0.9,en;q=0.5", "nb"),
        ("no", "nb"),
        ("nn-NO", "nb"),
        ("sv", "sv"),
        ("sv-SE,en;q=0.8", "sv"),
        ("fi-FI", "fi"),
        ("de-DE,fi;q=0.7", "fi"),
        ("de-DE,fr;q=0.8", "en"),
        ("", "en"),
    ],
)
def test_accept_language(accept, expected):
    assert i18n.pick_language(request(accept=accept)) == expected


def test_no_header_is_english():
    assert i18n.pick_language(request()) == "en"


def test_cookie_beats_accept_language_and_the_saved_choice():
    assert i18n.pick_language(request(cookie="sv", accept="fi-FI"), "nb") == "sv"


def test_saved_choice_beats_accept_language():
    assert i18n.pick_language(request(accept="fi-FI"), "nb") == "nb"


def test_unknown_cookie_is_ignored():
    assert i18n.pick_language(request(cookie="xx", accept="fi-FI")) == "fi"
