"""The goals service's part of the demo: the surfaces Nordvik Outdoor runs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from services.goals import service
from services.goals.models import Cadence, Surface, SurfaceCreate, SurfaceKind

SURFACES = [
    ("nordvikoutdoor.no", SurfaceKind.website, "https://www.nordvikoutdoor.no", Cadence.monthly, "ingrid.solberg@example.com"),
    ("Nettbutikk", SurfaceKind.web_shop, "https://shop.nordvikoutdoor.no", Cadence.monthly, "mikko.virtanen@example.com"),
    ("Min side (customer portal)", SurfaceKind.customer_portal, "https://minside.nordvikoutdoor.no", Cadence.quarterly, "sara.lindqvist@example.com"),
    ("Nordvik app", SurfaceKind.app, None, Cadence.quarterly, "mikko.virtanen@example.com"),
    ("Turbrevet newsletter", SurfaceKind.newsletter, None, Cadence.monthly, "sara.lindqvist@example.com"),
    ("Facebook", SurfaceKind.social_media, "https://www.facebook.com/nordvikoutdoor", Cadence.monthly, "sara.lindqvist@example.com"),
    ("Instagram", SurfaceKind.social_media, "https://www.instagram.com/nordvikoutdoor", Cadence.quarterly, "sara.lindqvist@example.com"),
    ("Intranet", SurfaceKind.intranet, None, Cadence.half_yearly, "ingrid.solberg@example.com"),
]


def seed(session: Session, *, workspace_id: int, people: dict[str, int], today: date | None = None) -> bool:
    """Add the demo surfaces unless the workspace has surfaces already; True if it added them."""
    if session.exec(select(func.count()).select_from(Surface).where(Surface.workspace_id == workspace_id)).one():
        return False
    today = today or date.today()
    for name, kind, url, cadence, owner in SURFACES:
        start = date(today.year, 1, 1) if cadence != Cadence.monthly else today.replace(day=1)
        service.create_surface(session=session, workspace_id=workspace_id, data=SurfaceCreate(
            name=name, kind=kind, url=url, cadence=cadence, period_start=start, owner_id=people.get(owner)))
    return True
