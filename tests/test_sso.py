"""Single sign-on against a real OpenID Connect provider (npm oidc-provider) on loopback."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from gateway import workspaces
from tests import node, support

PROVIDER = Path(__file__).parent / "oidc" / "provider.mjs"
CALLBACK = "/signin/oidc/callback"


@pytest.fixture(scope="module")
def provider(live):
    modules = node.node_modules()
    if isinstance(modules, str):
        pytest.skip(modules)
    proc = subprocess.Popen(
        ["node", str(PROVIDER), live.base_url + CALLBACK],
        env={**os.environ, "EFFEKT_NODE_MODULES": str(modules)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        issuer = json.loads(proc.stdout.readline())["issuer"]
        yield issuer
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def sso(live, provider):
    """Turn single sign-on on in the running gateway for one test; `configure(**settings)` changes it."""
    app = live.server("gateway").config.app
    before = app.state.settings

    def configure(**changes):
        base = {"oidc_issuer": provider, "oidc_client_id": "effekt", "oidc_client_secret": "effekt-test-secret"}
        base["oidc_name"] = "Test IdP"
        app.state.settings = before.model_copy(update={**base, **changes})

    configure()
    yield configure
    app.state.settings = before


def as_account(provider: str, email: str, verified: bool = True) -> None:
    sub = "u-" + secrets.token_hex(4)
    body = {"sub": sub, "email": email, "email_verified": verified, "name": "Sso User"}
    assert httpx.post(f"{provider}/_test/account", json=body).status_code == 204


def to_callback(client: httpx.Client, live) -> str:
    """Start at /signin/oidc and follow the provider until it sends the browser back; the callback URL."""
    url = urljoin(live.base_url, client.get("/signin/oidc").headers["location"])
    for _ in range(10):
        if url.startswith(live.base_url + CALLBACK):
            return url
        answer = client.get(url)
        assert answer.status_code in (302, 303), answer.text
        url = urljoin(url, answer.headers["location"])
    raise AssertionError("the provider never redirected back")


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return parts._replace(query=urlencode(query)).geturl()


def test_sign_in_links_by_verified_email_and_joins_the_workspace(live, sso, provider, account):
    sso(oidc_join_workspace=account.slug, oidc_join_role="editor", oidc_allowed_domains="example.com, sso.test")
    email = f"new-{secrets.token_hex(3)}@sso.test"
    as_account(provider, email)
    with live.client() as client:
        answer = client.get(to_callback(client, live))
        assert answer.status_code == 303 and answer.headers["location"] == "/"
        assert "effekt_session" in client.cookies
        home = client.get("/")
        assert home.status_code == 200 and "Test Co" in home.text
    members = support.gateway_db(lambda s: workspaces.members(session=s, workspace_id=account.workspace_id))
    assert {m.email: m.role.value for m in members}[email] == "editor"
    as_account(provider, account.email.upper())  # the existing account, linked by its email
    with live.client() as client:
        assert client.get(to_callback(client, live)).status_code == 303
        assert account.slug in client.get("/").text


def test_a_wrong_state_is_refused(live, sso, provider):
    as_account(provider, "eve@example.org")
    with live.client() as client:
        answer = client.get(with_query(to_callback(client, live), state="forged"))
        assert answer.status_code == 400
        assert "started in another tab" in answer.text and "effekt_session" not in client.cookies


def test_a_used_code_is_refused(live, sso, provider):
    as_account(provider, "replay@example.org")
    with live.client() as client:
        first = to_callback(client, live)
        assert client.get(first).status_code == 303
    with live.client() as client:
        fresh = to_callback(client, live)
        answer = client.get(with_query(fresh, code=parse_qs(urlsplit(first).query)["code"][0]))
        assert answer.status_code == 400 and "expired or was already used" in answer.text
        assert "effekt_session" not in client.cookies


def test_an_unverified_email_is_refused(live, sso, provider):
    as_account(provider, "unverified@example.org", verified=False)
    with live.client() as client:
        answer = client.get(to_callback(client, live))
        assert answer.status_code == 400 and "not verified your email" in answer.text


def test_a_domain_not_allowed_is_refused(live, sso, provider):
    sso(oidc_allowed_domains="example.org")
    as_account(provider, "mallory@elsewhere.test")
    with live.client() as client:
        answer = client.get(to_callback(client, live))
        assert answer.status_code == 400 and "email domain may not sign in" in answer.text


def test_password_sign_in_can_be_turned_off(live, sso, account):
    sso(password_signin=False)
    with live.client() as client:
        page = client.get("/signin")
        assert "Sign in with Test IdP" in page.text and 'name="password"' not in page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        token = csrf.group(1) if csrf else client.cookies.get("effekt_csrf", "")
        form = {"email": account.email, "password": account.password, "csrf_token": token}
        answer = client.post("/signin", data=form)
        assert answer.status_code == 403 and "effekt_session" not in client.cookies


@pytest.mark.browser
def test_browser_signs_in_with_the_provider(page, live, sso, provider, account):
    as_account(provider, account.email)
    page.goto("/signin")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
