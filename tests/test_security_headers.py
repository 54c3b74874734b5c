"""Security headers on every answer, and pages that need nothing the Content-Security-Policy refuses."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
from datetime import date

import httpx
import pytest
from playwright.sync_api import expect
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from frontend.pages.feedback_form import form_key
from gateway.edge import SecurityHeaders, TrustedProxies
from kit.settings import common

MONTH = date.today().replace(day=1)


def sign_in(page, account) -> None:
    page.goto("/signin")
    page.get_by_label("Email").fill(account.email)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Test Co")


def measured_surface(client, account) -> tuple[int, int]:
    """A surface with a KPI that has a value and a target this month: (surface id, KPI id)."""
    h, month = account.headers(), MONTH.isoformat()
    surface = client.post(
        "/api/v1/surfaces",
        headers=h,
        json={"name": "Web shop", "kind": "web_shop", "cadence": "monthly", "period_start": month},
    ).json()["id"]
    kpi = client.post(
        "/api/v1/kpis", headers=h, json={"name": "Orders", "category": "result", "surface_id": surface}
    ).json()["id"]
    client.put(
        f"/api/v1/kpis/{kpi}/targets", headers=h, json=[{"period_start": month, "period_end": month, "target": 100}]
    )
    client.post(
        "/api/v1/observations/batch",
        headers=h,
        json={"observations": [{"kpi_id": kpi, "period": "month", "period_start": month, "value": 20}]},
    )
    return surface, kpi


def assert_secure(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


def test_every_kind_of_answer_carries_the_security_headers(client, account):
    answers = [
        client.get("/signin"),  # a page
        client.get("/", follow_redirects=False),  # a redirect
        client.get("/static/app.css"),  # a static file
        client.get("/api/v1/me", headers=account.headers()),  # the API, from the gateway
        client.get("/api/v1/surfaces", headers=account.headers()),  # the API, relayed from a service
        client.get("/api/v1/surfaces"),  # a 401 problem
        client.get("/api/v1/nothing-here", headers=account.headers()),  # a 404 problem
        client.get("/no-such-page"),  # an HTML error page
        client.get("/healthz"),
        client.get("/api/openapi.json"),
    ]
    for r in answers:
        assert_secure(r)
        assert "strict-transport-security" not in r.headers  # plain HTTP here
    docs = client.get("/api/docs")
    assert "<script>" not in docs.text and "script-src 'self'" in docs.headers["content-security-policy"]


def _edge(trusted: str) -> Starlette:
    async def hello(request):
        return PlainTextResponse(f"{request.client.host} {request.url.scheme}")

    return TrustedProxies(SecurityHeaders(Starlette(routes=[Route("/", hello)])), trusted)  # as in gateway.app


def test_hsts_only_over_https_and_forwarded_proto_only_from_a_trusted_proxy():
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}

    async def run() -> list[httpx.Response]:
        behind = httpx.AsyncClient(transport=httpx.ASGITransport(app=_edge("127.0.0.1")), base_url="http://edge")
        direct = httpx.AsyncClient(transport=httpx.ASGITransport(app=_edge("")), base_url="http://edge")
        tls = httpx.AsyncClient(transport=httpx.ASGITransport(app=_edge("")), base_url="https://edge")
        async with behind, direct, tls:
            return [
                await behind.get("/", headers=forwarded),
                await direct.get("/", headers=forwarded),
                await tls.get("/"),
            ]

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # away from Playwright's event loop
        proxied, spoofed, https = pool.submit(asyncio.run, run()).result(timeout=30)
    assert proxied.text == "198.51.100.7 https" and "max-age=" in proxied.headers["strict-transport-security"]
    assert spoofed.text == "127.0.0.1 http" and "strict-transport-security" not in spoofed.headers
    assert https.text.endswith("https") and "strict-transport-security" in https.headers


def test_only_the_public_feedback_form_may_be_framed_by_other_sites():
    async def page(request):
        return PlainTextResponse("page")

    app = SecurityHeaders(Starlette(routes=[Route("/{path:path}", page, methods=["GET", "POST"])]))

    async def run() -> dict[str, httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge") as edge:
            paths = ["/feedback/form/k3y", "/feedback/form/k3y/", "/feedback", "/feedback/7", "/signin"]
            paths += ["/feedback/form/k3y/other", "/feedback/form", "/x/feedback/form/k3y"]
            answers = {p: await edge.get(p) for p in paths}
            answers["POST"] = await edge.post("/feedback/form/k3y", data={"text": "hi"})
            return answers

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # away from Playwright's event loop
        answers = pool.submit(asyncio.run, run()).result(timeout=30)
    for path in ("/feedback/form/k3y", "/feedback/form/k3y/", "POST"):
        framed = answers.pop(path)
        csp = framed.headers["content-security-policy"]
        assert "frame-ancestors *" in csp and "'none'" not in csp.split("frame-ancestors")[1].split(";")[0], path
        assert "script-src 'self'" in csp and "x-frame-options" not in framed.headers, path
        assert framed.headers["x-content-type-options"] == "nosniff"
    for response in answers.values():  # every other page still refuses to be framed
        assert_secure(response)


def test_the_live_feedback_form_may_be_framed_and_the_inbox_may_not(client, account):
    form = client.get(f"/feedback/form/{form_key(common().resolved_signing_key(), account.workspace_id, None)}")
    assert form.status_code == 200 and "x-frame-options" not in form.headers
    assert "frame-ancestors *" in form.headers["content-security-policy"]
    assert_secure(client.get("/feedback", follow_redirects=False))
    assert_secure(client.get("/signin"))


@pytest.mark.browser
def test_no_page_needs_what_the_content_security_policy_refuses(page, live, account, client):
    surface, kpi = measured_surface(client, account)
    cycle = client.post("/api/v1/cycles", headers=account.headers(), json={"surface_id": surface}).json()["id"]
    goal = client.post("/api/v1/goals", headers=account.headers(), json={"title": "Grow", "level": "strategic"}).json()
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation', function (e) {"
        " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')); });"
    )
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, account)
    pages = [
        "/",
        "/strategy",
        "/strategy/templates",
        "/surfaces",
        f"/surfaces/{surface}",
        "/kpis",
        f"/kpis/{kpi}",
        "/scorecard",
        "/imports",
        "/cycles",
        f"/cycles/{cycle}",
        f"/cycles/{cycle}/print",
        f"/cycles/compare?ids={cycle}",
        "/settings/workspace",
        "/settings/members",
        "/settings/tokens",
        "/api/docs",
    ]
    if "id" in goal:
        pages.append(f"/strategy/goals/{goal['id']}")
    for url in pages:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
        assert not violations and not refused, (url, violations, refused)
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible()  # the UI came up from its files alone
    # The handlers that were inline attributes still work: the language select sends its form.
    page.goto("/")
    page.get_by_label("Language").select_option("sv")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    page.goto("/settings/tokens")
    page.locator("#token-name").fill("CSP check")
    page.locator("#tokens form[action='/settings/tokens'] button[type=submit]").click()
    secret = page.locator("#new-token")
    expect(secret).to_have_value(re.compile(r"^efk_"))
    assert page.evaluate("document.activeElement.id") != "new-token" or page.evaluate(
        "(function (el) { return el.selectionEnd - el.selectionStart; })(document.getElementById('new-token'))"
    ) == len(secret.input_value())
    assert not page.evaluate("window.__csp") and not refused
