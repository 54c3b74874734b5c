import pytest

from kit.settings import common
from services.tasks.tests.webhooks.receiver import Receiver
from services.tasks.tests.workflow_support import session  # noqa: F401
from services.tasks.webhooks import crypto
from services.tasks.webhooks.config import settings

KEY = "q0v6Gm3yWq1rX8C7bq0m1yT8hVd2Zc3kq0v6Gm3yWq0"


@pytest.fixture(autouse=True)
def fast_schedule(monkeypatch):
    """Loopback allowed (the receiver runs there) and the spec's schedule squeezed to no waiting."""
    monkeypatch.setenv("EFFEKT_OUTBOUND_ALLOW", "loopback")
    monkeypatch.setenv("EFFEKT_TASKS_WEBHOOK_SCHEDULE", "0,0,0,0")
    monkeypatch.setenv("EFFEKT_TASKS_PUBLIC_URL", "https://effekt.example")
    monkeypatch.setenv("EFFEKT_TASKS_WEBHOOK_KEYS", KEY)
    for cached in (common, settings, crypto.key_ring):
        cached.cache_clear()
    yield
    for cached in (common, settings, crypto.key_ring):
        cached.cache_clear()


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r
