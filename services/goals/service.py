"""Business rules of surfaces. Every query is scoped by workspace; a foreign id is NotFound."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from kit.dates import next_period_end
from kit.errors import Invalid, NotFound
from services.goals.models import Cadence, Surface, SurfaceCreate, SurfaceKind, SurfacePublic, SurfaceUpdate, utcnow

SURFACE_SORTS = {"name", "kind", "cadence", "created_at", "updated_at", "period_start"}


def to_public(surface: Surface, *, today: date | None = None) -> SurfacePublic:
    """The public view of a surface, with its next measurement date."""
    nxt = next_period_end(surface.period_start, Cadence(surface.cadence).value, today or date.today())
    return SurfacePublic.model_validate(surface, update={"next_measurement": nxt})


def list_surfaces(*, session: Session, workspace_id: int, kind: SurfaceKind | None = None,
                  archived: bool | None = False, q: str | None = None, sort: str | None = None,
                  limit: int = 50, offset: int = 0) -> tuple[list[Surface], int]:
    """One page of the workspace's surfaces and the total that match the filters."""
    where = [Surface.workspace_id == workspace_id]
    if kind is not None:
        where.append(Surface.kind == kind)
    if archived is not None:
        where.append(Surface.archived == archived)
    if q:
        where.append(func.lower(Surface.name).contains(q.lower()))
    total = session.exec(select(func.count()).select_from(Surface).where(*where)).one()
    order = _order_by(sort)
    rows = session.exec(select(Surface).where(*where).order_by(*order).limit(limit).offset(offset)).all()
    return list(rows), total


def _order_by(sort: str | None):
    if not sort:
        return [col(Surface.name), col(Surface.id)]
    desc = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in SURFACE_SORTS:
        raise Invalid.field("sort", f"unknown sort field; use one of {', '.join(sorted(SURFACE_SORTS))}")
    column = col(getattr(Surface, name))
    return [column.desc() if desc else column.asc(), col(Surface.id)]


def get_surface(*, session: Session, workspace_id: int, surface_id: int) -> Surface:
    """The surface, if it belongs to the workspace."""
    surface = session.get(Surface, surface_id)
    if surface is None or surface.workspace_id != workspace_id:
        raise NotFound(f"No surface {surface_id} in this workspace.")
    return surface


def create_surface(*, session: Session, workspace_id: int, data: SurfaceCreate) -> Surface:
    """Add a surface to the workspace."""
    surface = Surface.model_validate(data, update={"workspace_id": workspace_id})
    session.add(surface)
    session.flush()
    return surface


def update_surface(*, session: Session, workspace_id: int, surface_id: int, data: SurfaceUpdate) -> Surface:
    """Change the fields the caller sent."""
    surface = get_surface(session=session, workspace_id=workspace_id, surface_id=surface_id)
    surface.sqlmodel_update(data.model_dump(exclude_unset=True))
    surface.updated_at = utcnow()
    session.add(surface)
    session.flush()
    return surface


def set_archived(*, session: Session, workspace_id: int, surface_id: int, archived: bool) -> Surface:
    """Archive or restore a surface; archiving keeps its history."""
    surface = get_surface(session=session, workspace_id=workspace_id, surface_id=surface_id)
    surface.archived = archived
    surface.updated_at = utcnow()
    session.add(surface)
    session.flush()
    return surface
