"""The action page offers only the status changes the tasks service allows from the current status."""

from __future__ import annotations

from frontend.action_views import STATUS_MOVES, STATUSES
from services.tasks.actions.models import ActionStatus
from services.tasks.actions.status import TRANSITIONS


def test_every_button_is_a_move_the_service_allows():
    assert set(STATUS_MOVES) == set(STATUSES) == {s.value for s in ActionStatus}
    for current, moves in STATUS_MOVES.items():
        allowed = {s.value for s in TRANSITIONS[ActionStatus(current)]}
        assert {target for target, _label in moves} <= allowed, current


def test_a_done_action_is_reopened_not_started():
    assert STATUS_MOVES["done"] == (("in_progress", "Reopen"),)
    assert STATUS_MOVES["evaluated"] == ()
