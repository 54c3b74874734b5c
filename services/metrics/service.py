"""Business rules of KPIs. Every query is scoped by workspace; a foreign id is NotFound."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kit.db import save
from kit.errors import Conflict, Invalid, field_error
from kit.pagination import get_scoped, order_by, select_page
from services.metrics import targets
from services.metrics.models import Category, Frequency, Kpi, KpiCreate, KpiPublic, KpiUpdate, Unit

KPI_SORTS = {"name", "category", "unit", "direction", "baseline_date", "created_at", "updated_at"}
DEFAULT_ORDER = [func.lower(col(Kpi.name))]  # as sort=name orders


def to_public(kpi: Kpi) -> KpiPublic:
    """The public view of a KPI, without figures of the current period."""
    return KpiPublic.model_validate(kpi)


def with_figures(*, session: Session, kpis: Sequence[Kpi], today: date | None = None) -> list[KpiPublic]:
    """Public views with actual, target, attainment and status of each KPI's current period (two queries)."""
    today = today or date.today()
    buckets = [targets.Bucket(*targets.period_bounds(f.value, today), f.value) for f in Frequency]
    index = {b.frequency: i for i, b in enumerate(buckets)}
    ids = [k.id for k in kpis]
    frequency = {k.id: (k.expected_frequency or Frequency.month).value for k in kpis}
    actuals = targets.values(session, ids, buckets)
    windows = {i: (buckets[index[f]].start, buckets[index[f]].end) for i, f in frequency.items()}
    goals = targets.goals_for(session, ids, windows)
    out = []
    for kpi in kpis:
        actual = actuals.get((kpi.id, index[frequency[kpi.id]]))
        goal = goals.get(kpi.id, targets.Goal())
        share = targets.attainment(kpi, actual, goal)
        out.append(KpiPublic.model_validate(kpi, update={
            "actual": actual, "target": goal.target, "band_low": goal.band_low, "band_high": goal.band_high,
            "attainment": share, "status": targets.status_of(kpi, actual, share)}))
    return out


def list_kpis(*, session: Session, workspace_id: int, category: Category | None = None,
              surface_id: int | None = None, archived: bool | None = False, q: str | None = None,
              ids: Collection[int] | None = None, sort: str | None = None, limit: int = 50,
              offset: int = 0) -> tuple[list[Kpi], int]:
    """One page of the workspace's KPIs and the total that match the filters."""
    where = [Kpi.workspace_id == workspace_id]
    if ids is not None:
        where.append(col(Kpi.id).in_(set(ids)))
    if category is not None:
        where.append(Kpi.category == category)
    if surface_id is not None:
        where.append(Kpi.surface_id == surface_id)
    if archived is not None:
        where.append(Kpi.archived == archived)
    if q:
        where.append(func.lower(Kpi.name).contains(q.lower(), autoescape=True))
    order = order_by(Kpi, sort, KPI_SORTS, DEFAULT_ORDER)
    return select_page(session, Kpi, where, order, limit=limit, offset=offset)


def _check_currency(unit: Unit, currency_code: str | None) -> None:
    if unit == Unit.currency and not currency_code:
        raise Invalid.field("currency_code", "required when unit is currency")
    if unit != Unit.currency and currency_code:
        raise Invalid.field("currency_code", "must be empty unless unit is currency")


def _name_taken(name: str) -> Conflict:
    return Conflict(f"A KPI named {name!r} already exists in this workspace.",
                    errors=[field_error("name", "already used")])


def _check_name_free(session: Session, *, workspace_id: int, name: str, kpi_id: int | None = None) -> None:
    where = [Kpi.workspace_id == workspace_id, Kpi.archived == False,  # noqa: E712  (SQL, not Python)
             func.lower(Kpi.name) == name.lower()]
    if kpi_id is not None:
        where.append(Kpi.id != kpi_id)
    if session.exec(select(Kpi.id).where(*where).limit(1)).first() is not None:
        raise _name_taken(name)


def _save(session: Session, kpi: Kpi, changes: dict | None = None) -> Kpi:
    try:
        return save(session, kpi, changes)
    except IntegrityError:  # only the unique active name can fail; a concurrent request won the race
        raise _name_taken(kpi.name) from None


def get_kpi(*, session: Session, workspace_id: int, kpi_id: int) -> Kpi:
    """The KPI, if it belongs to the workspace."""
    return get_scoped(session, Kpi, workspace_id, kpi_id, "KPI")


def create_kpi(*, session: Session, workspace_id: int, data: KpiCreate) -> Kpi:
    """Add a KPI to the workspace; its name must be free among the active KPIs."""
    _check_currency(data.unit, data.currency_code)
    targets.check_thresholds(mode=data.threshold_mode, amber=data.amber_threshold, red=data.red_threshold,
                             direction=data.direction)
    _check_name_free(session, workspace_id=workspace_id, name=data.name)
    return _save(session, Kpi.model_validate(data, update={"workspace_id": workspace_id}))


def update_kpi(*, session: Session, workspace_id: int, kpi_id: int, data: KpiUpdate) -> Kpi:
    """Change the fields the caller sent; the merged KPI must still be consistent."""
    kpi = get_kpi(session=session, workspace_id=workspace_id, kpi_id=kpi_id)
    changes = data.model_dump(exclude_unset=True)
    _check_currency(changes.get("unit", kpi.unit), changes.get("currency_code", kpi.currency_code))
    targets.check_thresholds(mode=changes.get("threshold_mode", kpi.threshold_mode),
                             amber=changes.get("amber_threshold", kpi.amber_threshold),
                             red=changes.get("red_threshold", kpi.red_threshold),
                             direction=changes.get("direction", kpi.direction))
    if "name" in changes and not kpi.archived:
        _check_name_free(session, workspace_id=workspace_id, name=changes["name"], kpi_id=kpi.id)
    return _save(session, kpi, changes)


def set_archived(*, session: Session, workspace_id: int, kpi_id: int, archived: bool) -> Kpi:
    """Archive or restore a KPI; restoring needs its name to be free again."""
    kpi = get_kpi(session=session, workspace_id=workspace_id, kpi_id=kpi_id)
    if kpi.archived and not archived:
        _check_name_free(session, workspace_id=workspace_id, name=kpi.name, kpi_id=kpi.id)
    return _save(session, kpi, {"archived": archived})
