"""KPIs through kpis/service.py directly: names unique per workspace, currency rules, scoping."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from kit.errors import Conflict, Invalid, NotFound
from services.metrics.kpis import service
from services.metrics.kpis.models import Category, KpiCreate, KpiUpdate, Unit


def test_service_rules(engine):
    with Session(engine) as session:
        kpi = service.create_kpi(session=session, workspace_id=1, data=KpiCreate(name="NPS", category=Category.result))
        with pytest.raises(Conflict):
            service.create_kpi(session=session, workspace_id=1, data=KpiCreate(name="nps", category=Category.result))
        with pytest.raises(Invalid) as exc:
            service.update_kpi(session=session, workspace_id=1, kpi_id=kpi.id, data=KpiUpdate(unit=Unit.currency))
        assert exc.value.errors[0]["field"] == "currency_code"
        with pytest.raises(NotFound):
            service.set_archived(session=session, workspace_id=2, kpi_id=kpi.id, archived=True)
