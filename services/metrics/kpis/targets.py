"""Targets of a KPI by period: replaced as a whole (periods must not overlap), and the target of a window."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from sqlmodel import Session, col, delete, select

from kit.errors import Invalid, field_error
from kit.query import get_scoped
from services.metrics.kpis.models import Kpi, KpiTarget, KpiTargetIn
from services.metrics.kpis.status import Goal


def _overlap_errors(items: Sequence[KpiTargetIn]) -> list[dict]:
    errors = [
        field_error(f"targets.{i}.period_end", "must not be before period_start")
        for i, item in enumerate(items)
        if item.period_end < item.period_start
    ]
    errors += [
        field_error(f"targets.{i}.band_high", "must not be below band_low")
        for i, item in enumerate(items)
        if item.band_low is not None and item.band_high is not None and item.band_high < item.band_low
    ]
    if errors:
        return errors
    order = sorted(range(len(items)), key=lambda i: items[i].period_start)
    for before, after in zip(order, order[1:], strict=False):
        if items[after].period_start <= items[before].period_end:
            errors.append(field_error(f"targets.{after}.period_start", f"overlaps the period of targets.{before}"))
    return errors


def list_targets(*, session: Session, workspace_id: int, kpi_id: int) -> list[KpiTarget]:
    """The KPI's targets by period."""
    get_scoped(session, Kpi, workspace_id, kpi_id, "KPI")
    return list(
        session.exec(select(KpiTarget).where(KpiTarget.kpi_id == kpi_id).order_by(col(KpiTarget.period_start))).all()
    )


def replace_targets(
    *, session: Session, workspace_id: int, kpi_id: int, items: Sequence[KpiTargetIn]
) -> list[KpiTarget]:
    """Replace all of the KPI's targets; periods must not overlap."""
    get_scoped(session, Kpi, workspace_id, kpi_id, "KPI")
    errors = _overlap_errors(items)
    if errors:
        raise Invalid("The targets are not consistent.", errors=errors)
    session.exec(delete(KpiTarget).where(col(KpiTarget.kpi_id) == kpi_id))
    rows = [
        KpiTarget.model_validate(item, update={"kpi_id": kpi_id, "workspace_id": workspace_id})
        for item in sorted(items, key=lambda t: t.period_start)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def goals_for(session: Session, kpi_ids: Collection[int], windows: dict[int, tuple[date, date]]) -> dict[int, Goal]:
    """Per KPI, the target of its window: the latest target whose period overlaps the window.

    A target applies to its own period only: a window before or after every target's period has none (it is
    never carried back from a later target or forward from an earlier one)."""
    if not kpi_ids:
        return {}
    earliest = min(start for start, _ in windows.values())
    latest = max(end for _, end in windows.values())
    rows = session.exec(
        select(KpiTarget)
        .where(
            col(KpiTarget.kpi_id).in_(set(kpi_ids)), KpiTarget.period_end >= earliest, KpiTarget.period_start <= latest
        )
        .order_by(col(KpiTarget.kpi_id), col(KpiTarget.period_start))
    ).all()
    found: dict[int, Goal] = {}
    for row in rows:
        start, end = windows[row.kpi_id]
        if row.period_start <= end and row.period_end >= start:
            found[row.kpi_id] = Goal(row.target, row.band_low, row.band_high)  # by period_start: the latest wins
    return found
