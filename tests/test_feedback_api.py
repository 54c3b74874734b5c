"""Feedback through the live stack: scoping by token, roles, the public form's guards, escaped HTML."""

from __future__ import annotations

from contextlib import contextmanager

from frontend.pages.feedback_form import LIMIT, form_key
from kit.settings import common
from tests import support

URL = "/api/v1/feedback"


def file(client, account, **fields) -> dict:
    body = {"channel": "facebook", "text": "Rude staff", **fields}
    resp = client.post(URL, json=body, headers=account.headers())
    assert resp.status_code == 201, resp.text
    return resp.json()


def form_url(account, surface_id: int | None = None) -> str:
    return f"/feedback/form/{form_key(common().resolved_signing_key(), account.workspace_id, surface_id)}"


def test_another_workspaces_token_gets_404_on_every_id_and_viewers_cannot_write(client, account, other_account):
    one = file(client, account)
    theirs = other_account.headers()
    for method, path, body in [
        ("GET", f"{URL}/{one['id']}", None),
        ("GET", f"{URL}/{one['id']}/history", None),
        ("PATCH", f"{URL}/{one['id']}", {"notes": "x"}),
        ("POST", f"{URL}/{one['id']}/answer", {"text": "x"}),
        ("POST", f"{URL}/{one['id']}/state", {"state": "resolved"}),
        ("POST", f"{URL}/{one['id']}/erase", None),
    ]:
        resp = client.request(method, path, json=body, headers=theirs)
        assert resp.status_code == 404, (method, path, resp.text)
    assert client.get(URL, headers=theirs).json()["count"] == 0
    viewer = support.viewer_headers(account)
    assert client.get(f"{URL}/{one['id']}", headers=viewer).status_code == 200
    assert client.post(URL, json={"channel": "x", "text": "y"}, headers=viewer).status_code == 403
    assert client.post(f"{URL}/{one['id']}/answer", json={"text": "y"}, headers=viewer).status_code == 403
    assert client.post(f"{URL}/kpis", headers=viewer).status_code == 403


def test_the_public_form_files_an_item_without_an_account_and_thanks_in_the_senders_language(live, account):
    with live.client() as anonymous:
        page = anonymous.get(form_url(account))
        assert page.status_code == 200 and 'name="website"' in page.text
        sent = anonymous.post(
            form_url(account, 7),
            data={"kind": "complaint", "text": "<b>Rude</b> staff", "name": "Kari", "website": ""},
            headers={"accept-language": "sv-SE,sv;q=0.9"},
        )
        assert sent.status_code == 200, sent.text
        assert "Tack!" in sent.text
        assert anonymous.get(form_url(account).replace("-", "-9", 1)).status_code == 404  # a forged key
    with live.client() as client:
        [item] = client.get(URL, headers=account.headers()).json()["data"]
    assert (item["state"], item["channel"], item["surface_id"], item["text"]) == (
        "new",
        "web_form",
        7,
        "<b>Rude</b> staff",
    )


def test_the_public_form_refuses_honeypot_oversize_and_floods(live, account):
    with live.client() as anonymous:
        url = form_url(account)
        assert anonymous.post(url, data={"text": "buy now", "website": "http://spam"}).status_code == 400
        assert anonymous.post(url, data={"text": "x" * 20_000}).status_code == 413
        for _ in range(LIMIT - 1):  # the honeypot post counted as one
            assert anonymous.post(url, data={"text": "again"}).status_code == 200
        flood = anonymous.post(url, data={"text": "again"})
        assert flood.status_code == 429 and int(flood.headers["retry-after"]) > 0
    with live.client() as client:
        assert client.get(URL, headers=account.headers()).json()["count"] == LIMIT - 1


@contextmanager
def signed_in(live, account):
    with live.client() as browser:
        yield _sign_in(browser, account)


def _sign_in(browser, account):
    browser.get("/signin")
    token = browser.cookies["effekt_csrf"]
    resp = browser.post("/signin", data={"email": account.email, "password": account.password, "csrf_token": token})
    assert resp.status_code in (200, 303), resp.text
    return browser


def test_html_in_feedback_text_is_shown_escaped_on_the_inbox_and_item_pages(live, account):
    with live.client() as client:
        one = file(client, account, text="<script>alert('x')</script>")
    with signed_in(live, account) as browser:
        for path in ("/feedback", f"/feedback/{one['id']}"):
            page = browser.get(path)
            assert page.status_code == 200, page.text
            assert "<script>alert(" not in page.text
            assert "&lt;script&gt;alert(" in page.text


def test_the_report_draws_a_pareto_chart_of_the_categories(live, account):
    with live.client() as client:
        cats = client.get(f"{URL}/categories", headers=account.headers()).json()
        staff = next(c["id"] for c in cats if c["key"] == "staff_service")
        for _ in range(3):
            file(client, account, category_id=staff)
        file(client, account)
    with signed_in(live, account) as browser:
        page = browser.get("/feedback/report")
        assert page.status_code == 200, page.text
        assert '<svg id="pareto"' in page.text and page.text.count("<rect") == 2
        made = browser.post("/feedback/kpis", data={"csrf_token": browser.cookies["effekt_csrf"]})
        assert made.status_code in (200, 303)
    with live.client() as client:
        names = {k["name"] for k in client.get("/api/v1/kpis", headers=account.headers()).json()["data"]}
    assert {"Complaints", "Complaints: Staff and service", "Dissatisfied customers (estimate)"} <= names
