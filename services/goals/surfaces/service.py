"""Business rules of surfaces. Every query is scoped by workspace; a foreign id is NotFound."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col

from kit.dates import next_period_end
from kit.db import save
from kit.query import get_scoped, order_by, select_page
from services.goals.surfaces.models import Cadence, Surface, SurfaceCreate, SurfaceKind, SurfacePublic, SurfaceUpdate

SURFACE_SORTS = {"name", "kind", "cadence", "created_at", "updated_at", "period_start"}
DEFAULT_ORDER = [func.lower(col(Surface.name))]  # as sort=name orders, so both backends agree


def to_public(surface: Surface, *, today: date | None = None) -> SurfacePublic:
    """The public view of a surface, with its next measurement date."""
    nxt = next_period_end(surface.period_start, Cadence(surface.cadence).value, today or date.today())
    return SurfacePublic.model_validate(surface, update={"next_measurement": nxt})


def list_surfaces(
    *,
    session: Session,
    workspace_id: int,
    kind: SurfaceKind | None = None,
    archived: bool | None = False,
    q: str | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Surface], int]:
    """One page of the workspace's surfaces and the total that match the filters."""
    where = [Surface.workspace_id == workspace_id]
    if kind is not None:
        where.append(Surface.kind == kind)
    if archived is not None:
        where.append(Surface.archived == archived)
    if q:
        where.append(func.lower(Surface.name).contains(q.lower(), autoescape=True))
    order = order_by(Surface, sort, SURFACE_SORTS, DEFAULT_ORDER)
    return select_page(session, Surface, where, order, limit=limit, offset=offset)


def get_surface(*, session: Session, workspace_id: int, surface_id: int) -> Surface:
    """The surface, if it belongs to the workspace."""
    return get_scoped(session, Surface, workspace_id, surface_id, "surface")


def create_surface(*, session: Session, workspace_id: int, data: SurfaceCreate) -> Surface:
    """Add a surface to the workspace."""
    surface = Surface.model_validate(data, update={"workspace_id": workspace_id})
    session.add(surface)
    session.flush()
    return surface


def update_surface(*, session: Session, workspace_id: int, surface_id: int, data: SurfaceUpdate) -> Surface:
    """Change the fields the caller sent."""
    surface = get_surface(session=session, workspace_id=workspace_id, surface_id=surface_id)
    return save(session, surface, data.model_dump(exclude_unset=True))


def set_archived(*, session: Session, workspace_id: int, surface_id: int, archived: bool) -> Surface:
    """Archive or restore a surface; archiving keeps its history."""
    surface = get_surface(session=session, workspace_id=workspace_id, surface_id=surface_id)
    return save(session, surface, {"archived": archived})
