"""The rules of surfaces (service.py) called directly."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from kit.errors import Invalid, NotFound
from services.goals.surfaces import service
from services.goals.surfaces.models import Cadence, SurfaceCreate, SurfaceKind


def test_service_scopes_and_computes_the_next_measurement(engine):
    with Session(engine) as session:
        surface = service.create_surface(
            session=session,
            workspace_id=1,
            data=SurfaceCreate(
                name="Nettbutikk", kind=SurfaceKind.web_shop, cadence=Cadence.monthly, period_start=date(2026, 1, 31)
            ),
        )
        public = service.to_public(surface, today=date(2026, 2, 15))
        assert public.next_measurement == date(2026, 2, 28)
        with pytest.raises(NotFound):
            service.get_surface(session=session, workspace_id=2, surface_id=surface.id)
        with pytest.raises(Invalid) as exc:
            service.list_surfaces(session=session, workspace_id=1, sort="owner_id")
        assert exc.value.errors[0]["field"] == "sort"
