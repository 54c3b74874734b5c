"""What the notification browser tests share: a real SMTP server the tasks service sends to, and one round of
the notification cron run as the worker runs it."""

from __future__ import annotations

from datetime import datetime

import pytest

from kit.mailbox import Mailbox
from kit.testing import run_async


@pytest.fixture(name="mailbox")
def mailbox_fixture(monkeypatch):
    """A real SMTP server on loopback, and the tasks service (worker included) pointed at it."""
    from services.tasks.config import settings

    box = Mailbox().start()
    monkeypatch.setenv("EFFEKT_TASKS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("EFFEKT_TASKS_SMTP_PORT", str(box.port))
    monkeypatch.setenv("EFFEKT_TASKS_SMTP_TLS", "none")
    monkeypatch.setenv("EFFEKT_TASKS_SMTP_FROM", "Effekt <effekt@example.com>")
    settings.cache_clear()
    yield box
    monkeypatch.undo()
    settings.cache_clear()
    box.stop()


def digest_round(now: datetime) -> dict:
    """One round of the notification cron at `now`, as the worker runs it (the tasks database, the gateway)."""
    from services.tasks.db import create_engine_from_settings
    from services.tasks.notifications import jobs
    from services.tasks.notifications.recipients import GatewayDirectory

    engine = create_engine_from_settings()
    try:
        return run_async(jobs.deliver(engine=engine, directory=GatewayDirectory(), now=now))
    finally:
        engine.dispose()
