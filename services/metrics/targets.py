"""Targets, thresholds and the value of a KPI for a period. The status rule given thresholds lives here.

Periods are calendar dates. Observations arrive already bucketed by the sender (its period_start is a date
in the sender's time zone), so nothing here converts time zones: a period [start, end] holds the
observations whose period_start lies in it.

A KPI's value for a period aggregates those observations by its aggregation (sum, mean, min, max, or the
value of the latest period_start for last). Values of every KPI and every period asked for come from
one grouped query, so reads do not grow in queries with the number of KPIs.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from kit.dates import add_months
from kit.errors import Invalid, field_error
from kit.pagination import get_scoped
from services.metrics.models import Direction, Frequency, Kpi, KpiTarget, KpiTargetIn, Observation, ThresholdMode

AMBER, RED = 0.9, 0.6  # relative defaults: attainment at or above AMBER is on track, at or above RED at risk
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
STATUS_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track",
                 "not_measured": "Not measured"}


# --- periods ---------------------------------------------------------------------------------------

def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The day, week (from Monday), month, quarter or year holding `day`, as [start, end]."""
    if kind == "day":
        return day, day
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    months = PERIOD_MONTHS[kind]
    start = date(day.year, (day.month - 1) // months * months + 1, 1)
    return start, add_months(start, months) - timedelta(days=1)


def previous_bounds(kind: str, start: date) -> tuple[date, date]:
    """The period of the same kind just before the one starting at `start`."""
    return period_bounds(kind, start - timedelta(days=1))


def period_label(kind: str, start: date) -> str:
    """English label: 'November 2026', 'Q4 2026', '2026'."""
    if kind == "year":
        return str(start.year)
    if kind == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return start.strftime("%B %Y") if kind == "month" else start.isoformat()


def is_stale(frequency: str | None, last: date | None, today: date) -> bool:
    """True when the latest observation began before the previous expected period: one is missing."""
    if frequency is None:
        return False
    if last is None:
        return True
    start, _ = period_bounds(frequency, today)
    return last < previous_bounds(frequency, start)[0]


# --- thresholds and status -------------------------------------------------------------------------

def check_thresholds(*, mode: str, amber: float | None, red: float | None, direction: str) -> None:
    """Relative thresholds are shares 0..1 with red <= amber; absolute ones are ordered by the direction."""
    if mode == ThresholdMode.relative:
        for name, value in (("amber_threshold", amber), ("red_threshold", red)):
            if value is not None and not 0 <= value <= 1:
                raise Invalid.field(name, "a relative threshold is a share of attainment between 0 and 1")
        if (red if red is not None else RED) > (amber if amber is not None else AMBER):
            raise Invalid.field("red_threshold", "must not be above the amber threshold")
        return
    if amber is None or red is None:
        raise Invalid.field("amber_threshold" if amber is None else "red_threshold",
                            "absolute thresholds need both amber and red values")
    if direction == Direction.higher_is_better and red > amber:
        raise Invalid.field("red_threshold", "must not be above the amber threshold when higher is better")
    if direction == Direction.lower_is_better and red < amber:
        raise Invalid.field("red_threshold", "must not be below the amber threshold when lower is better")


@dataclass(frozen=True, slots=True)
class Goal:
    """The target of a period: a value, and a band for target_band KPIs."""

    target: float | None = None
    band_low: float | None = None
    band_high: float | None = None


def attainment(kpi: Kpi, actual: float | None, goal: Goal) -> float | None:
    """0..1 by the rules the goals service documents; None when not measured."""
    if actual is None:
        return None
    if kpi.direction == Direction.target_band:
        low, high = goal.band_low, goal.band_high
        if low is None and high is None:
            return None
        return 1.0 if (low is None or actual >= low) and (high is None or actual <= high) else 0.0
    if goal.target is None:
        return None
    sign = -1 if kpi.direction == Direction.lower_is_better else 1
    target, baseline = goal.target, kpi.baseline_value
    if baseline is None or (target - baseline) * sign <= 0:
        return 1.0 if (actual - target) * sign >= 0 else 0.0
    return min(1.0, max(0.0, (actual - baseline) / (target - baseline)))


def status_of(kpi: Kpi, actual: float | None, share: float | None) -> str:
    """on_track, at_risk, off_track by the KPI's thresholds; not_measured without an attainment."""
    if share is None or actual is None:
        return "not_measured"
    absolute = kpi.threshold_mode == ThresholdMode.absolute and kpi.direction != Direction.target_band
    if absolute and kpi.amber_threshold is not None and kpi.red_threshold is not None:
        sign = -1 if kpi.direction == Direction.lower_is_better else 1
        if (actual - kpi.amber_threshold) * sign >= 0:
            return "on_track"
        return "at_risk" if (actual - kpi.red_threshold) * sign >= 0 else "off_track"
    amber = AMBER if kpi.amber_threshold is None or absolute else kpi.amber_threshold
    red = RED if kpi.red_threshold is None or absolute else kpi.red_threshold
    if share >= amber:
        return "on_track"
    return "at_risk" if share >= red else "off_track"


# --- targets ---------------------------------------------------------------------------------------

def _overlap_errors(items: Sequence[KpiTargetIn]) -> list[dict]:
    errors = [field_error(f"targets.{i}.period_end", "must not be before period_start")
              for i, item in enumerate(items) if item.period_end < item.period_start]
    errors += [field_error(f"targets.{i}.band_high", "must not be below band_low")
               for i, item in enumerate(items)
               if item.band_low is not None and item.band_high is not None and item.band_high < item.band_low]
    if errors:
        return errors
    order = sorted(range(len(items)), key=lambda i: items[i].period_start)
    for before, after in zip(order, order[1:]):
        if items[after].period_start <= items[before].period_end:
            errors.append(field_error(f"targets.{after}.period_start",
                                      f"overlaps the period of targets.{before}"))
    return errors


def list_targets(*, session: Session, workspace_id: int, kpi_id: int) -> list[KpiTarget]:
    """The KPI's targets by period."""
    get_scoped(session, Kpi, workspace_id, kpi_id, "KPI")
    return list(session.exec(select(KpiTarget).where(KpiTarget.kpi_id == kpi_id)
                             .order_by(col(KpiTarget.period_start))).all())


def replace_targets(*, session: Session, workspace_id: int, kpi_id: int,
                    items: Sequence[KpiTargetIn]) -> list[KpiTarget]:
    """Replace all of the KPI's targets; periods must not overlap."""
    get_scoped(session, Kpi, workspace_id, kpi_id, "KPI")
    errors = _overlap_errors(items)
    if errors:
        raise Invalid("The targets are not consistent.", errors=errors)
    session.exec(delete(KpiTarget).where(col(KpiTarget.kpi_id) == kpi_id))
    rows = [KpiTarget.model_validate(item, update={"kpi_id": kpi_id, "workspace_id": workspace_id})
            for item in sorted(items, key=lambda t: t.period_start)]
    session.add_all(rows)
    session.flush()
    return rows


def goals_for(session: Session, kpi_ids: Collection[int], windows: dict[int, tuple[date, date]]) -> dict[int, Goal]:
    """Per KPI, the target of its window: the latest target overlapping it, else the next one after it."""
    if not kpi_ids:
        return {}
    earliest = min(start for start, _ in windows.values())
    rows = session.exec(select(KpiTarget).where(col(KpiTarget.kpi_id).in_(set(kpi_ids)),
                                                KpiTarget.period_end >= earliest)
                        .order_by(col(KpiTarget.kpi_id), col(KpiTarget.period_start))).all()
    overlapping: dict[int, Goal] = {}
    upcoming: dict[int, Goal] = {}
    for row in rows:
        start, end = windows[row.kpi_id]
        goal = Goal(row.target, row.band_low, row.band_high)
        if row.period_start <= end:
            overlapping[row.kpi_id] = goal  # rows come by period_start: the latest overlapping one wins
        else:
            upcoming.setdefault(row.kpi_id, goal)
    return {**upcoming, **overlapping}


# --- values ----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Bucket:
    """A window of dates; with a frequency it applies only to KPIs expecting that one (null counts as month)."""

    start: date
    end: date
    frequency: str | None = None


def _bucket_case(buckets: Sequence[Bucket]) -> sa.ColumnElement:
    frequency = sa.func.coalesce(col(Kpi.expected_frequency), Frequency.month.name)
    whens = []
    for index, bucket in enumerate(buckets):
        cond = col(Observation.period_start).between(bucket.start, bucket.end)
        if bucket.frequency is not None:
            cond = sa.and_(cond, frequency == Frequency(bucket.frequency).name)
        whens.append((cond, index))
    return sa.case(*whens, else_=None)


def values(session: Session, kpi_ids: Collection[int], buckets: Sequence[Bucket]) -> dict[tuple[int, int], float]:
    """{(kpi_id, bucket index): aggregated value} for every KPI and bucket with observations: one query."""
    if not kpi_ids or not buckets:
        return {}
    bucket = _bucket_case(buckets).label("bucket")
    rank = sa.func.row_number().over(partition_by=(col(Observation.kpi_id), bucket),
                                     order_by=(col(Observation.period_start).desc(), col(Observation.id).desc()))
    inner = (select(col(Observation.kpi_id).label("kpi_id"), bucket, col(Observation.value).label("value"),
                    rank.label("rank"), col(Kpi.aggregation).label("aggregation"))
             .join(Kpi, col(Kpi.id) == col(Observation.kpi_id))
             .where(col(Observation.kpi_id).in_(set(kpi_ids)),
                    col(Observation.period_start).between(min(b.start for b in buckets), max(b.end for b in buckets)))
             .subquery())
    v = inner.c.value
    value = sa.case((inner.c.aggregation == "sum", sa.func.sum(v)), (inner.c.aggregation == "mean", sa.func.avg(v)),
                    (inner.c.aggregation == "min", sa.func.min(v)), (inner.c.aggregation == "max", sa.func.max(v)),
                    else_=sa.func.max(sa.case((inner.c.rank == 1, v))))
    query = (sa.select(inner.c.kpi_id, inner.c.bucket, value).where(inner.c.bucket.is_not(None))
             .group_by(inner.c.kpi_id, inner.c.bucket, inner.c.aggregation))
    return {(kpi_id, index): float(val) for kpi_id, index, val in session.execute(query)
            if val is not None and math.isfinite(val)}


def last_observed(session: Session, kpi_ids: Collection[int]) -> dict[int, date]:
    """The latest observation's period_start of each KPI: one grouped query."""
    if not kpi_ids:
        return {}
    rows = session.execute(sa.select(col(Observation.kpi_id), sa.func.max(col(Observation.period_start)))
                           .where(col(Observation.kpi_id).in_(set(kpi_ids))).group_by(col(Observation.kpi_id)))
    return {kpi_id: last for kpi_id, last in rows}
