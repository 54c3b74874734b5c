"""Reviewing a cycle: analysis notes and root causes per KPI, findings, closing. A closed cycle is read-only."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from kit.errors import Conflict, Invalid, NotFound, field_error
from kit.fields import MAX_ID, utcnow
from services.metrics.cycles.models import (
    Cycle,
    CycleFinding,
    CycleItem,
    CycleStatus,
    FindingCreate,
    FindingUpdate,
    ItemReview,
)
from services.metrics.cycles.service import OFF_TRACK, get_cycle, items_of


def open_for_change(*, session: Session, workspace_id: int, cycle_id: int) -> Cycle:
    """The cycle, if it is in the workspace (else NotFound) and still open (else Conflict)."""
    cycle = get_cycle(session=session, workspace_id=workspace_id, cycle_id=cycle_id)
    if cycle.status != CycleStatus.open:
        raise Conflict(f"Cycle {cycle.id} is closed and read-only.")
    return cycle


def _item(session: Session, cycle: Cycle, kpi_id: int) -> CycleItem:
    item = None
    if 0 < kpi_id <= MAX_ID:
        item = session.exec(select(CycleItem).where(CycleItem.cycle_id == cycle.id, CycleItem.kpi_id == kpi_id)).first()
    if item is None:
        raise NotFound(f"KPI {kpi_id} is not in cycle {cycle.id}.")
    return item


def review_item(
    *, session: Session, workspace_id: int, cycle_id: int, kpi_id: int, data: ItemReview, user_id: int | None = None
) -> CycleItem:
    """Set the analysis note and/or root cause of one KPI of an open cycle (fields left out stay)."""
    cycle = open_for_change(session=session, workspace_id=workspace_id, cycle_id=cycle_id)
    item = _item(session, cycle, kpi_id)
    changes = data.model_dump(include=data.model_fields_set)
    item.sqlmodel_update({**changes, "updated_at": utcnow(), "updated_by": user_id})
    session.add(item)
    session.flush()
    return item


def _check_kpi(session: Session, cycle: Cycle, kpi_id: int | None) -> None:
    if kpi_id is None:
        return
    found = session.exec(select(CycleItem.id).where(CycleItem.cycle_id == cycle.id, CycleItem.kpi_id == kpi_id)).first()
    if found is None:
        raise Invalid.field("kpi_id", f"KPI {kpi_id} is not in cycle {cycle.id}")


def add_finding(
    *,
    session: Session,
    workspace_id: int,
    cycle_id: int,
    data: FindingCreate,
    user_id: int | None = None,
    at: datetime | None = None,
) -> CycleFinding:
    """Record what was seen in an open cycle, optionally on one of its KPIs, with the change it suggests."""
    cycle = open_for_change(session=session, workspace_id=workspace_id, cycle_id=cycle_id)
    _check_kpi(session, cycle, data.kpi_id)
    finding = CycleFinding(
        cycle_id=cycle.id,
        workspace_id=workspace_id,
        kpi_id=data.kpi_id,
        text=data.text,
        change_kind=data.change_kind,
        created_by=user_id,
        created_at=at or utcnow(),
        updated_at=at or utcnow(),
    )
    session.add(finding)
    session.flush()
    return finding


def get_finding(*, session: Session, cycle: Cycle, finding_id: int) -> CycleFinding:
    """A finding of the cycle; NotFound for any other id."""
    finding = session.get(CycleFinding, finding_id) if 0 < finding_id <= MAX_ID else None
    if finding is None or finding.cycle_id != cycle.id:
        raise NotFound(f"No finding {finding_id} in cycle {cycle.id}.")
    return finding


def update_finding(
    *, session: Session, workspace_id: int, cycle_id: int, finding_id: int, data: FindingUpdate
) -> CycleFinding:
    """Change the fields of a finding the caller sent (kpi_id null detaches it from its KPI)."""
    cycle = open_for_change(session=session, workspace_id=workspace_id, cycle_id=cycle_id)
    finding = get_finding(session=session, cycle=cycle, finding_id=finding_id)
    changes = data.model_dump(include=data.model_fields_set)
    if "kpi_id" in changes:
        _check_kpi(session, cycle, changes["kpi_id"])
    finding.sqlmodel_update({**changes, "updated_at": utcnow()})
    session.add(finding)
    session.flush()
    return finding


def delete_finding(*, session: Session, workspace_id: int, cycle_id: int, finding_id: int) -> None:
    """Remove a finding of an open cycle."""
    cycle = open_for_change(session=session, workspace_id=workspace_id, cycle_id=cycle_id)
    session.delete(get_finding(session=session, cycle=cycle, finding_id=finding_id))
    session.flush()


def close_cycle(
    *, session: Session, workspace_id: int, cycle_id: int, user_id: int | None = None, at: datetime | None = None
) -> Cycle:
    """Close an open cycle; refused (naming each) while an off-track KPI has no root cause."""
    cycle = open_for_change(session=session, workspace_id=workspace_id, cycle_id=cycle_id)
    lacking = [i for i in items_of(session, cycle.id) if i.status == OFF_TRACK and not i.root_cause]
    if lacking:
        names = ", ".join(i.name for i in lacking)
        raise Invalid(
            f"Write a root cause for every off-track KPI before closing: {names}.",
            errors=[
                field_error(f"items.{i.kpi_id}.root_cause", f"{i.name} is off track; write its root cause")
                for i in lacking
            ],
        )
    now = at or utcnow()
    cycle.sqlmodel_update({"status": CycleStatus.closed, "closed_at": now, "closed_by": user_id, "updated_at": now})
    session.add(cycle)
    session.flush()
    return cycle


def delete_cycle(*, session: Session, workspace_id: int, cycle_id: int) -> None:
    """Remove an open cycle opened by mistake, with its snapshot and findings; a closed cycle stays (Conflict)."""
    cycle = open_for_change(session=session, workspace_id=workspace_id, cycle_id=cycle_id)
    session.exec(delete(CycleFinding).where(col(CycleFinding.cycle_id) == cycle.id))
    session.exec(delete(CycleItem).where(col(CycleItem.cycle_id) == cycle.id))
    session.delete(cycle)
    session.flush()
