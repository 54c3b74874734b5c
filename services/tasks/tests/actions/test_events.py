"""An action done and its effect judged are told to its owner and creator (not to whoever made the change)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from services.tasks.actions import service
from services.tasks.actions.models import ActionCreate, ActionStatus
from services.tasks.events.models import Event
from services.tasks.periods import service as periods
from services.tasks.periods.models import PeriodCreate
from services.tasks.tests.actions.conftest import TODAY

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
CREATOR, OWNER, LEAD = 7, 8, 9


def test_done_and_evaluated_reach_the_owner_and_the_creator(session, records):
    data = ActionCreate(title="Faster checkout", owner_id=OWNER)
    action = service.create_action(session=session, workspace_id=1, user_id=CREATOR, data=data, owners=records)
    q = periods.create_period(
        session=session,
        workspace_id=1,
        data=PeriodCreate(name="Q4", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31)),
    )
    service.plan(session=session, workspace_id=1, user_id=OWNER, action_id=action.id, period_id=q.id)
    for target in (ActionStatus.in_progress, ActionStatus.done):
        service.change_status(
            session=session, workspace_id=1, user_id=OWNER, action_id=action.id, target=target, today=TODAY
        )
    service.mark_evaluated(session=session, action=action, user_id=LEAD, verdict="confirmed", note=None, evidence={})
    session.commit()
    told = [(e.recipient_id, e.kind.value, e.link, e.params) for e in session.exec(select(Event).order_by(Event.id))]
    assert told == [
        (CREATOR, "action_done", f"/actions/{action.id}", {"action": "Faster checkout"}),
        (CREATOR, "effect_evaluated", f"/actions/{action.id}", {"action": "Faster checkout", "verdict": "confirmed"}),
        (OWNER, "effect_evaluated", f"/actions/{action.id}", {"action": "Faster checkout", "verdict": "confirmed"}),
    ]
