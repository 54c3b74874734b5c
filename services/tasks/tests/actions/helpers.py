"""What the action tests share: an action, a planning period, a status move, through the service rules."""

from __future__ import annotations

from datetime import date

from services.tasks.actions import service
from services.tasks.actions.models import ActionCreate
from services.tasks.periods import service as periods
from services.tasks.periods.models import PeriodCreate
from services.tasks.tests.actions.conftest import TODAY


def make(session, records, workspace_id: int = 1, **fields):
    data = ActionCreate(**{"title": "Faster checkout", **fields})
    return service.create_action(session=session, workspace_id=workspace_id, user_id=7, data=data, owners=records)


def period(session, workspace_id: int = 1, capacity: float | None = 40, **fields):
    data = {"name": "Q1", "starts_on": date(2027, 1, 1), "ends_on": date(2027, 3, 31), "capacity_hours": capacity}
    return periods.create_period(session=session, workspace_id=workspace_id, data=PeriodCreate(**{**data, **fields}))


def move(session, action, target, **kw):
    return service.change_status(
        session=session, workspace_id=1, user_id=7, action_id=action.id, target=target, today=TODAY, **kw
    )
