"""Fixtures of the connector tests: a fresh database, a local vendor on loopback, settings pointing at it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kit.service_app import create_service_app
from kit.testing import TEST_KEY, fresh_engine
from services.metrics.connectors import crypto
from services.metrics.connectors.config import connector_settings
from services.metrics.db import MetricsModel
from services.metrics.routes import ROUTERS
from services.metrics.tests.connectors.vendor import VendorServer

KEY_A = "mK0q1vB1y1J8Yc6r0Lr3GxkqkC8m3m0rJt0Gm5o2lqU"  # 32 bytes, base64url
KEY_B = "Q2hhbmdlZC1rZXktMzItYnl0ZXMtbG9uZy0tLS0tLS0"


@pytest.fixture(autouse=True)
def connector_env(monkeypatch):
    """A key ring of the test's own, and fast retries; caches cleared before and after."""
    monkeypatch.setenv("EFFEKT_METRICS_CONNECTOR_KEYS", KEY_A)
    monkeypatch.setenv("EFFEKT_METRICS_CONNECTOR_BACKOFF", "0.01")
    monkeypatch.setenv("EFFEKT_METRICS_CONNECTOR_TIMEOUT", "5")
    connector_settings.cache_clear()
    crypto.key_ring.cache_clear()
    yield monkeypatch
    connector_settings.cache_clear()
    crypto.key_ring.cache_clear()


@pytest.fixture
def engine(tmp_path):
    with fresh_engine(tmp_path, MetricsModel.metadata, "metrics") as engine:
        yield engine


@pytest.fixture
def vendor(connector_env):
    server = VendorServer().start()
    for name in ("plausible", "ga4", "search_console", "mailchimp", "zendesk", "hubspot"):
        connector_env.setenv(f"EFFEKT_METRICS_{name.upper()}_URL", server.url)
    connector_env.setenv("EFFEKT_METRICS_GOOGLE_TOKEN_URL", server.url + "/token")
    connector_settings.cache_clear()
    yield server
    server.stop()


@pytest.fixture
def client(engine):
    app = create_service_app(
        name="metrics",
        title="Effekt metrics",
        description="test",
        engine=engine,
        redis_url="redis://127.0.0.1:6379/15",
        signing_key=TEST_KEY,
        routers=ROUTERS,
    )
    with TestClient(app) as c:
        yield c
