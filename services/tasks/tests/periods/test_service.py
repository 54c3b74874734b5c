"""The rules of planning periods (service.py) called directly."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from kit.errors import Invalid, NotFound
from services.tasks.periods import service
from services.tasks.periods.models import PeriodCreate, PeriodUpdate


def test_service_scopes_and_checks_the_merged_span(engine):
    with Session(engine) as session:
        period = service.create_period(
            session=session,
            workspace_id=1,
            data=PeriodCreate(name="Sprint 1", starts_on=date(2026, 1, 5), ends_on=date(2026, 1, 16)),
        )
        with pytest.raises(Invalid) as exc:
            service.update_period(
                session=session, workspace_id=1, period_id=period.id, data=PeriodUpdate(starts_on=date(2026, 1, 17))
            )
        assert exc.value.errors[0]["field"] == "ends_on"
        with pytest.raises(NotFound):
            service.get_period(session=session, workspace_id=2, period_id=period.id)
        rows, total = service.list_periods(session=session, workspace_id=1, active_on=date(2026, 1, 16))
        assert total == 1 and rows[0].id == period.id
