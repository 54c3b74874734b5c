"""Reading measurement cycles: lists, one cycle with its snapshot and findings, comparison, CSV export.

Every query is scoped by workspace; a foreign id is NotFound. Reads cost a fixed number of queries.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Sequence
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from kit.errors import Invalid, NotFound
from kit.query import get_scoped, order_by, select_page
from services.metrics.cycles.models import (
    ChangeKind,
    CompareCell,
    CompareRow,
    Comparison,
    Cycle,
    CycleDetail,
    CycleFinding,
    CycleItem,
    CycleItemPublic,
    CyclePublic,
    CycleStatus,
    FindingPublic,
)
from services.metrics.cycles.snapshot import CATEGORY_ORDER
from services.metrics.kpis.status import STATUS_LABELS
from services.metrics.observations.service import cell

CYCLE_SORTS = {"period_start", "period_end", "opened_at", "closed_at", "surface_name", "status"}
FINDING_SORTS = {"created_at", "updated_at", "change_kind"}
MAX_COMPARE = 12
OFF_TRACK = "off_track"
CSV_COLUMNS = (
    "cycle_id",
    "surface",
    "period_start",
    "period_end",
    "cycle_status",
    "category",
    "kpi_id",
    "kpi",
    "unit",
    "currency_code",
    "value",
    "target",
    "band_low",
    "band_high",
    "attainment",
    "status",
    "previous_value",
    "change",
    "note",
    "root_cause",
)


def get_cycle(*, session: Session, workspace_id: int, cycle_id: int) -> Cycle:
    """The cycle, if it belongs to the workspace."""
    return get_scoped(session, Cycle, workspace_id, cycle_id, "cycle")


def item_public(item: CycleItem) -> CycleItemPublic:
    """The public view of a snapshot item, with its status in words."""
    return CycleItemPublic(
        **item.model_dump(exclude={"id", "cycle_id", "workspace_id"}),
        status_label=STATUS_LABELS.get(item.status, item.status),
        root_cause_required=item.status == OFF_TRACK,
    )


def _missing(item: CycleItem) -> bool:
    return item.status == OFF_TRACK and not item.root_cause


def cycle_public(cycle: Cycle, counts: dict[str, int] | None = None) -> CyclePublic:
    """The public view of a cycle with its item and finding counts."""
    return CyclePublic(**cycle.model_dump(exclude={"workspace_id", "created_at", "updated_at"}), **(counts or {}))


def summaries(session: Session, cycles: Sequence[Cycle]) -> list[CyclePublic]:
    """Public views of many cycles with their counts: two grouped queries."""
    ids = [c.id for c in cycles]
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    if ids:
        off = sa.case((col(CycleItem.status) == OFF_TRACK, 1), else_=0)
        missing = sa.case(
            (sa.and_(col(CycleItem.status) == OFF_TRACK, col(CycleItem.root_cause).is_(None)), 1), else_=0
        )
        rows = session.execute(
            sa.select(col(CycleItem.cycle_id), func.count(), func.sum(off), func.sum(missing))
            .where(col(CycleItem.cycle_id).in_(ids))
            .group_by(col(CycleItem.cycle_id))
        )
        for cycle_id, n, n_off, n_missing in rows:
            counts[cycle_id].update(
                items_count=n, off_track_count=int(n_off or 0), missing_root_causes=int(n_missing or 0)
            )
        rows = session.execute(
            sa.select(col(CycleFinding.cycle_id), func.count())
            .where(col(CycleFinding.cycle_id).in_(ids))
            .group_by(col(CycleFinding.cycle_id))
        )
        for cycle_id, n in rows:
            counts[cycle_id]["findings_count"] = n
    return [cycle_public(c, counts[c.id]) for c in cycles]


def list_cycles(
    *,
    session: Session,
    workspace_id: int,
    surface_id: int | None = None,
    status: CycleStatus | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Cycle], int]:
    """One page of the workspace's cycles, newest period first, and how many match."""
    where = [Cycle.workspace_id == workspace_id]
    if surface_id is not None:
        where.append(Cycle.surface_id == surface_id)
    if status is not None:
        where.append(Cycle.status == status)
    order = order_by(Cycle, sort, CYCLE_SORTS, [col(Cycle.period_start).desc(), func.lower(col(Cycle.surface_name))])
    return select_page(session, Cycle, where, order, limit=limit, offset=offset)


def items_of(session: Session, cycle_id: int) -> list[CycleItem]:
    """The snapshot of a cycle: inputs, activities, results, each by name."""
    rows = session.exec(
        select(CycleItem)
        .where(CycleItem.cycle_id == cycle_id)
        .order_by(func.lower(col(CycleItem.name)), col(CycleItem.kpi_id))
    ).all()
    return sorted(rows, key=lambda i: CATEGORY_ORDER.get(i.category, 3))


def finding_public(finding: CycleFinding, cycle: Cycle, kpi_name: str | None) -> FindingPublic:
    """The public view of a finding, with where it was seen."""
    return FindingPublic(
        id=finding.id,
        cycle_id=cycle.id,
        surface_id=cycle.surface_id,
        surface_name=cycle.surface_name,
        period_start=cycle.period_start,
        period_end=cycle.period_end,
        cycle_status=cycle.status,
        kpi_id=finding.kpi_id,
        kpi_name=kpi_name,
        text=finding.text,
        change_kind=finding.change_kind,
        created_by=finding.created_by,
        created_at=finding.created_at,
        updated_at=finding.updated_at,
    )


def detail(*, session: Session, cycle: Cycle) -> CycleDetail:
    """A cycle with its snapshot and findings: two queries."""
    items = items_of(session, cycle.id)
    names = {i.kpi_id: i.name for i in items}
    findings = session.exec(
        select(CycleFinding)
        .where(CycleFinding.cycle_id == cycle.id)
        .order_by(col(CycleFinding.created_at), col(CycleFinding.id))
    ).all()
    counts = {
        "items_count": len(items),
        "off_track_count": sum(i.status == OFF_TRACK for i in items),
        "missing_root_causes": sum(_missing(i) for i in items),
        "findings_count": len(findings),
    }
    return CycleDetail(
        **cycle_public(cycle, counts).model_dump(),
        items=[item_public(i) for i in items],
        findings=[finding_public(f, cycle, names.get(f.kpi_id)) for f in findings],
    )


def list_findings(
    *,
    session: Session,
    workspace_id: int,
    cycle_id: int | None = None,
    surface_id: int | None = None,
    kpi_id: int | None = None,
    change_kind: ChangeKind | None = None,
    cycle_status: CycleStatus | None = None,
    since: date | None = None,
    ids: Collection[int] | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[FindingPublic], int]:
    """Findings across the workspace's cycles (the action list's inbox), newest first, and how many match."""
    where = [CycleFinding.workspace_id == workspace_id]
    for column, value in (
        (Cycle.id, cycle_id),
        (Cycle.surface_id, surface_id),
        (CycleFinding.kpi_id, kpi_id),
        (CycleFinding.change_kind, change_kind),
        (Cycle.status, cycle_status),
    ):
        if value is not None:
            where.append(column == value)
    if since is not None:
        where.append(col(Cycle.period_start) >= since)
    if ids:
        where.append(col(CycleFinding.id).in_(ids))
    joined = select(CycleFinding, Cycle).join(Cycle, col(Cycle.id) == col(CycleFinding.cycle_id)).where(*where)
    total = session.exec(select(func.count()).select_from(joined.subquery())).one()
    order = order_by(CycleFinding, sort, FINDING_SORTS, [col(CycleFinding.created_at).desc()])
    rows = session.exec(joined.order_by(*order).limit(limit).offset(offset)).all()
    names = _kpi_names(session, {(c.id, f.kpi_id) for f, c in rows if f.kpi_id is not None})
    return [finding_public(f, c, names.get((c.id, f.kpi_id))) for f, c in rows], total


def _kpi_names(session: Session, pairs: Collection[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The frozen KPI names of (cycle, KPI) pairs: one query."""
    if not pairs:
        return {}
    cycle_ids = {c for c, _ in pairs}
    rows = session.exec(
        select(CycleItem.cycle_id, CycleItem.kpi_id, CycleItem.name).where(col(CycleItem.cycle_id).in_(cycle_ids))
    ).all()
    return {(c, k): n for c, k, n in rows if (c, k) in pairs}


def compare(*, session: Session, workspace_id: int, ids: Sequence[int]) -> Comparison:
    """Cycles side by side, oldest period first: a row per KPI, a cell per cycle."""
    wanted = list(dict.fromkeys(ids))
    if not 1 <= len(wanted) <= MAX_COMPARE:
        raise Invalid.field("ids", f"name between 1 and {MAX_COMPARE} cycles")
    cycles = session.exec(select(Cycle).where(Cycle.workspace_id == workspace_id, col(Cycle.id).in_(wanted))).all()
    missing = sorted(set(wanted) - {c.id for c in cycles})
    if missing:
        raise NotFound(f"No cycle {missing[0]} in this workspace.")
    cycles = sorted(cycles, key=lambda c: (c.period_start, c.surface_name.lower(), c.id))
    column = {c.id: n for n, c in enumerate(cycles)}
    items = session.exec(select(CycleItem).where(col(CycleItem.cycle_id).in_(wanted))).all()
    rows: dict[int, CompareRow] = {}
    for item in sorted(items, key=lambda i: (column[i.cycle_id], i.kpi_id)):
        row = rows.setdefault(
            item.kpi_id,
            CompareRow(
                kpi_id=item.kpi_id,
                name=item.name,
                category=item.category,
                unit=item.unit,
                currency_code=item.currency_code,
                cells=[None] * len(cycles),
            ),
        )
        row.name, row.category = item.name, item.category  # the latest cycle's name wins
        row.cells[column[item.cycle_id]] = CompareCell(
            cycle_id=item.cycle_id,
            value=item.value,
            target=item.target,
            attainment=item.attainment,
            status=item.status,
            status_label=STATUS_LABELS.get(item.status, item.status),
            change=item.change,
        )
    ordered = sorted(rows.values(), key=lambda r: (CATEGORY_ORDER.get(r.category, 3), r.name.lower(), r.kpi_id))
    return Comparison(cycles=summaries(session, cycles), rows=ordered)


def _num(value: float | None) -> str:
    return "" if value is None else repr(value)


def export_csv(*, session: Session, workspace_id: int, cycle_id: int) -> tuple[Cycle, str]:
    """The cycle's snapshot as CSV, one line per KPI; text a spreadsheet would run as a formula is defused."""
    cycle = get_cycle(session=session, workspace_id=workspace_id, cycle_id=cycle_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items_of(session, cycle.id):
        writer.writerow(
            [
                cycle.id,
                cell(cycle.surface_name),
                cycle.period_start.isoformat(),
                cycle.period_end.isoformat(),
                cycle.status.value,
                item.category,
                item.kpi_id,
                cell(item.name),
                item.unit,
                item.currency_code or "",
                _num(item.value),
                _num(item.target),
                _num(item.band_low),
                _num(item.band_high),
                _num(item.attainment),
                item.status,
                _num(item.previous_value),
                _num(item.change),
                cell(item.note),
                cell(item.root_cause),
            ]
        )
    return cycle, out.getvalue()
