"""Fixtures of the notification tests: a real SMTP server on loopback and the people mail goes to."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from kit.mailbox import Mailbox
from services.tasks.config import TasksSettings
from services.tasks.notifications.recipients import Recipient
from services.tasks.tests.workflow_support import ANNA, BEN, CARA, DAN, session  # noqa: F401

PEOPLE = {
    ANNA: Recipient(ANNA, "anna@example.com", "Anna", "nb", "Europe/Oslo"),
    BEN: Recipient(BEN, "ben@example.com", "Ben", "en", "Europe/Oslo"),
    CARA: Recipient(CARA, "cara@example.com", "Cara", "sv", "Europe/Oslo"),
    DAN: Recipient(DAN, "dan@example.com", "Dan", "fi", "Europe/Oslo"),
}


class People:
    """The gateway's answer for workspace 1, as data (the live tests ask the real gateway)."""

    def __init__(self, people: dict[int, Recipient] | None = None):
        self.people = people or PEOPLE
        self.asked = 0

    async def lookup(self, workspace_id: int, user_ids: Iterable[int]) -> dict[int, Recipient]:
        self.asked += 1
        if workspace_id != 1:
            return {}
        return {u: self.people[u] for u in user_ids if u in self.people}


@pytest.fixture
def mailbox():
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def cfg(mailbox) -> TasksSettings:
    return TasksSettings(
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        smtp_tls="none",
        smtp_from="Effekt <effekt@example.com>",
        public_url="https://effekt.example.com",
    )


@pytest.fixture
def people() -> People:
    return People()
