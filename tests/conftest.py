"""Cross-service fixtures: one live stack per test session; a fresh workspace per test keeps tests apart."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from playwright.sync_api import expect

from tests import support

# two busy cores: a boosted page change can take longer than Playwright's 5 s default to settle
expect.set_options(timeout=12_000)

_DATA_DIR = tempfile.mkdtemp(prefix="effekt-test-")
_CREATED = support.configure_environment(_DATA_DIR)


def pytest_sessionfinish(session, exitstatus):
    from kit.embedded_redis import stop

    support.drop_databases(_CREATED)
    stop(force=True)
    shutil.rmtree(_DATA_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def live():
    stack = support.LiveStack().start()
    yield stack
    stack.stop()


@pytest.fixture
def account(live) -> support.Account:
    return support.make_account()


@pytest.fixture
def other_account(live) -> support.Account:
    return support.make_account(name="Other Co")


@pytest.fixture
def client(live):
    with live.client() as c:
        yield c


@pytest.fixture(scope="session")
def data_dir() -> str:
    return os.environ["EFFEKT_DATA_DIR"]


CHROMIUM = os.environ.get("EFFEKT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's chromium or set EFFEKT_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live):
    context = chromium.new_context(base_url=live.base_url, viewport={"width": 1280, "height": 860}, locale="en-GB")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()
