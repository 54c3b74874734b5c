"""Opening a measurement cycle and freezing its snapshot: one cycle per surface and period, however often asked.

A surface's cadence periods are counted from its period_start (the goals service's anchor) in steps of
the cadence: [anchor + n·step, anchor + (n+1)·step), stored with an inclusive period_end. A cycle freezes,
for every KPI of the surface and every workspace-wide KPI that is not archived, the period's value, target,
attainment and status, and the change since the previous cycle of the surface (for the surface's first
cycle: since the period before, from the observations). Queries do not grow with the number of KPIs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, or_, select

from kit.dates import CADENCE_MONTHS, add_months
from kit.errors import Conflict, Invalid, field_error
from kit.fields import utcnow
from services.metrics.cycles.models import Cycle, CycleCadence, CycleItem, CycleStatus, PeriodChoice
from services.metrics.kpis.figures import Bucket, values
from services.metrics.kpis.models import Kpi
from services.metrics.kpis.status import Goal, judge
from services.metrics.kpis.targets import goals_for
from services.metrics.outbox import service as outbox

KEY = ("workspace_id", "surface_id", "period_start")
CATEGORY_ORDER = {"input": 0, "activity": 1, "result": 2}


# --- cadence periods -------------------------------------------------------------------------------------


def period_of(anchor: date, cadence: str, index: int) -> tuple[date, date]:
    """The index-th cadence period counted from the anchor, as [start, last day]."""
    step = CADENCE_MONTHS[cadence]
    return add_months(anchor, index * step), add_months(anchor, (index + 1) * step) - timedelta(days=1)


def period_index(anchor: date, cadence: str, day: date) -> int:
    """The index of the cadence period holding `day` (negative before the anchor)."""
    step = CADENCE_MONTHS[cadence]
    index = ((day.year - anchor.year) * 12 + day.month - anchor.month) // step
    while add_months(anchor, index * step) > day:
        index -= 1
    while add_months(anchor, (index + 1) * step) <= day:
        index += 1
    return index


def latest_ended(anchor: date, cadence: str, today: date) -> tuple[date, date] | None:
    """The most recent period that has ended by `today` (none before the anchor's first period ends)."""
    index = period_index(anchor, cadence, today) - 1
    return period_of(anchor, cadence, index) if index >= 0 else None


def choose_period(
    *, anchor: date, cadence: str, today: date, period_start: date | None, choice: PeriodChoice
) -> tuple[date, date]:
    """The period a cycle opened by hand covers: the one asked for, the current one, or the latest ended one."""
    try:
        return _choose(anchor, cadence, today, period_start, choice)
    except (ValueError, OverflowError):  # a period that would begin or end outside the calendar
        raise Invalid.field("period_start" if period_start else "period", "outside the calendar") from None


def _choose(
    anchor: date, cadence: str, today: date, period_start: date | None, choice: PeriodChoice
) -> tuple[date, date]:
    if period_start is not None:
        index = period_index(anchor, cadence, period_start)
        start, end = period_of(anchor, cadence, index)
        if start != period_start:
            raise Invalid.field(
                "period_start",
                f"the surface's {cadence} periods start on {anchor.isoformat()} "
                f"and every {CADENCE_MONTHS[cadence]} month(s) from it; "
                f"the period holding this day starts {start.isoformat()}",
            )
        if start > today:
            raise Invalid.field("period_start", "the period has not begun yet")
        return start, end
    if choice == PeriodChoice.latest_ended:
        found = latest_ended(anchor, cadence, today)
        if found is None:
            raise Invalid.field("period", "no period of this surface has ended yet")
        return found
    return period_of(anchor, cadence, max(0, period_index(anchor, cadence, today)))


# --- opening -----------------------------------------------------------------------------------------------


def _insert(session: Session, row: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING on the cycle key: the new id, or None when the cycle exists.

    A racing transaction waits on the key (PostgreSQL) or the write lock (SQLite) and then inserts nothing."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = Cycle.__table__
    stmt = dialect.insert(table).values(**row).on_conflict_do_nothing(index_elements=list(KEY))
    return session.execute(stmt.returning(table.c.id)).scalar_one_or_none()


def existing(session: Session, workspace_id: int, surface_id: int, period_start: date) -> Cycle | None:
    """The cycle of the surface for the period starting on that day, if there is one."""
    return session.exec(
        select(Cycle).where(
            Cycle.workspace_id == workspace_id, Cycle.surface_id == surface_id, Cycle.period_start == period_start
        )
    ).first()


def open_cycle(
    *,
    session: Session,
    workspace_id: int,
    surface_id: int,
    surface_name: str,
    cadence: str,
    period_start: date,
    period_end: date,
    opened_by: int | None = None,
    at: datetime | None = None,
    today: date | None = None,
) -> tuple[Cycle, bool]:
    """Open the surface's cycle for the period and freeze its snapshot; (cycle, created). Idempotent.

    `at` stamps opened_at (the demo seed backdates its cycles); default now. `today` (the workspace's)
    decides whether the period still runs, so a summed KPI is judged on pace."""
    if period_end < period_start:
        raise Invalid.field("period_end", "must not be before period_start")
    now = at or utcnow()
    row = {
        "workspace_id": workspace_id,
        "surface_id": surface_id,
        "surface_name": surface_name[:200],
        "cadence": CycleCadence(cadence),
        "period_start": period_start,
        "period_end": period_end,
        "status": CycleStatus.open,
        "opened_by": opened_by,
        "opened_at": now,
        "snapshot_at": now,
        "created_at": now,
        "updated_at": now,
    }
    new_id = _insert(session, row)
    if new_id is None:
        return existing(session, workspace_id, surface_id, period_start), False
    cycle = session.get(Cycle, new_id)
    kpis = freeze(session=session, cycle=cycle, today=today)
    tell_owners(session, cycle, kpis)
    return cycle, True


def tell_owners(session: Session, cycle: Cycle, kpis: list[Kpi]) -> None:
    """ "The cycle is open" to the owners of its KPIs, in the cycle's transaction (the outbox takes it to them)."""
    label = f"{cycle.surface_name} {cycle.period_start.isoformat()}–{cycle.period_end.isoformat()}"
    for owner_id in sorted({k.owner_id for k in kpis if k.owner_id is not None}):
        outbox.notify(
            session,
            workspace_id=cycle.workspace_id,
            recipient_id=owner_id,
            kind="cycle_opened",
            key=f"cycle:{cycle.id}:opened",
            link=f"/cycles/{cycle.id}",
            params={"cycle": label, "surface": cycle.surface_name},
        )


def open_for_surface(
    *,
    session: Session,
    workspace_id: int,
    surface: dict[str, Any],
    opened_by: int | None,
    period_start: date | None = None,
    period: PeriodChoice = PeriodChoice.current,
    today: date | None = None,
    at: datetime | None = None,
) -> Cycle:
    """Open a cycle by hand for a surface (id, name, cadence, period_start as the goals service has them).

    Conflict (409, naming the cycle) when the period already has one."""
    start, end = choose_period(
        anchor=_as_date(surface["period_start"]),
        cadence=surface["cadence"],
        today=today or date.today(),
        period_start=period_start,
        choice=period,
    )
    cycle, created = open_cycle(
        session=session,
        workspace_id=workspace_id,
        surface_id=surface["id"],
        surface_name=surface["name"],
        cadence=surface["cadence"],
        period_start=start,
        period_end=end,
        opened_by=opened_by,
        at=at,
        today=today,
    )
    if not created:
        raise Conflict(
            f"Cycle {cycle.id} already covers {surface['name']} from {start.isoformat()}.",
            errors=[field_error("period_start", f"cycle {cycle.id} covers this period")],
            headers={"Location": f"/api/v1/cycles/{cycle.id}"},
        )
    return cycle


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


# --- the snapshot ------------------------------------------------------------------------------------------


def surface_kpis(session: Session, workspace_id: int, surface_id: int) -> list[Kpi]:
    """The KPIs a cycle of the surface covers: the surface's and the workspace-wide ones, not archived."""
    rows = session.exec(
        select(Kpi)
        .where(
            Kpi.workspace_id == workspace_id,
            Kpi.archived == False,  # noqa: E712
            or_(Kpi.surface_id == surface_id, col(Kpi.surface_id).is_(None)),
        )
        .order_by(func.lower(col(Kpi.name)), col(Kpi.id))
    ).all()
    return sorted(rows, key=lambda k: CATEGORY_ORDER.get(k.category.value, 3))


def _previous_values(session: Session, cycle: Cycle) -> dict[int, float | None] | None:
    """Each KPI's value in the surface's previous cycle; None when this is the surface's first cycle."""
    before = session.exec(
        select(Cycle.id)
        .where(
            Cycle.workspace_id == cycle.workspace_id,
            Cycle.surface_id == cycle.surface_id,
            Cycle.period_start < cycle.period_start,
        )
        .order_by(col(Cycle.period_start).desc())
        .limit(1)
    ).first()
    if before is None:
        return None
    rows = session.exec(select(CycleItem.kpi_id, CycleItem.value).where(CycleItem.cycle_id == before)).all()
    return dict(rows)


def figures(
    session: Session, cycle: Cycle, kpis: Sequence[Kpi], today: date | None = None
) -> dict[int, dict[str, Any]]:
    """The frozen fields of each KPI for the cycle's period: five queries whatever the number of KPIs."""
    ids = [k.id for k in kpis]
    previous = _previous_values(session, cycle)
    buckets = [Bucket(cycle.period_start, cycle.period_end)]
    if previous is None and cycle.period_start.year > 1:
        step = CADENCE_MONTHS[cycle.cadence.value]
        buckets.append(Bucket(add_months(cycle.period_start, -step), cycle.period_start - timedelta(days=1)))
    found = values(session, ids, buckets)
    goals = goals_for(session, ids, {i: (cycle.period_start, cycle.period_end) for i in ids})
    out = {}
    window, today = (cycle.period_start, cycle.period_end), today or date.today()
    for kpi in kpis:
        value = found.get((kpi.id, 0))
        before = found.get((kpi.id, 1)) if previous is None else previous.get(kpi.id)
        goal = goals.get(kpi.id, Goal())
        judged = judge(kpi, value, goal, window, today)  # a period still running is judged on pace
        out[kpi.id] = {
            "name": kpi.name,
            "category": kpi.category.value,
            "unit": kpi.unit.value,
            "currency_code": kpi.currency_code,
            "direction": kpi.direction.value,
            "value": value,
            "target": goal.target,
            "band_low": goal.band_low,
            "band_high": goal.band_high,
            "attainment": judged.attainment,
            "status": judged.status,
            "previous_value": before,
            "change": value - before if value is not None and before is not None else None,
        }
    return out


def _insert_items(session: Session, cycle: Cycle, found: dict[int, dict[str, Any]]) -> None:
    """One multi-row INSERT (the ORM would send a statement per item)."""
    if found:
        now = utcnow()
        session.execute(
            sa.insert(CycleItem.__table__),
            [
                {
                    "cycle_id": cycle.id,
                    "workspace_id": cycle.workspace_id,
                    "kpi_id": kpi_id,
                    "updated_at": now,
                    **fields,
                }
                for kpi_id, fields in found.items()
            ],
        )


def freeze(*, session: Session, cycle: Cycle, today: date | None = None) -> list[Kpi]:
    """Write the snapshot of a new cycle: one item per KPI it covers; the KPIs."""
    kpis = surface_kpis(session, cycle.workspace_id, cycle.surface_id)
    _insert_items(session, cycle, figures(session, cycle, kpis, today))
    return kpis


def refresh(*, session: Session, cycle: Cycle, today: date | None = None) -> Cycle:
    """Take late data into an open cycle: figures are frozen again, notes and root causes stay.

    KPIs added to the surface since come in; items of KPIs archived since stay as they were frozen."""
    if cycle.status != CycleStatus.open:
        raise Conflict(f"Cycle {cycle.id} is closed; its snapshot can no longer change.")
    kpis = surface_kpis(session, cycle.workspace_id, cycle.surface_id)
    found = figures(session, cycle, kpis, today)
    items = {i.kpi_id: i for i in session.exec(select(CycleItem).where(CycleItem.cycle_id == cycle.id)).all()}
    for kpi_id, fields in found.items():
        if kpi_id in items:
            items[kpi_id].sqlmodel_update(fields)
            session.add(items[kpi_id])
    session.flush()
    _insert_items(session, cycle, {k: v for k, v in found.items() if k not in items})
    cycle.snapshot_at = cycle.updated_at = utcnow()
    session.add(cycle)
    session.flush()
    return cycle
