import pytest

from kit.settings import common
from services.tasks.tests.webhooks.receiver import Receiver
from services.tasks.tests.workflow_support import session  # noqa: F401
from services.tasks.webhooks.config import settings


@pytest.fixture(autouse=True)
def fast_schedule(monkeypatch):
    """Loopback allowed (the receiver runs there) and the spec's schedule squeezed to no waiting."""
    monkeypatch.setenv("EFFEKT_OUTBOUND_ALLOW", "loopback")
    monkeypatch.setenv("EFFEKT_TASKS_WEBHOOK_SCHEDULE", "0,0,0,0")
    monkeypatch.setenv("EFFEKT_TASKS_PUBLIC_URL", "https://effekt.example")
    common.cache_clear()
    settings.cache_clear()
    yield
    common.cache_clear()
    settings.cache_clear()


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r
