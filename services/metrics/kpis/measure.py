"""The SQL that turns observations into figures per KPI and window, under the precedence rule of targets.py.

The main path is one aggregate query grouped by KPI, window, period and source (a hash aggregate, no sort):
per group the sum, count, min, max and the value of its latest period_start. When a window of a KPI holds
only one source at its coarsest granularity - the usual case - those groups already are the answer. Only the
KPIs where several sources meet in a window go through a second, exact query that ranks their rows with
window functions (one per period and period_start wins by source). So the queries stay at one, or two when
sources meet, whatever the number of KPIs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, col

from services.metrics.kpis.models import Source
from services.metrics.observations.models import Observation, Period

GRAIN = {Period.month: 3, Period.week: 2, Period.day: 1}  # coarser wins
GRAIN_DAYS = {Period.month: 28, Period.week: 7, Period.day: 1}  # the shortest window a period fits in
# Lower wins: what a person typed, then a file they chose, then a tool that pushed, then a vendor pulled on
# schedule (a connector is the default, not the last word), then what feedback items add up to, then what the
# tasks service publishes of Effekt's own work, then a formula.
SOURCE_RANK = {"manual": 0, "import": 1, "api": 2, "connector": 3, "feedback": 4, "activity": 5, "derived": 6}
Figures = tuple  # (sum, mean, min, max, last) of a KPI in a window


class Window(Protocol):
    start: date
    end: date


@dataclass
class Measured:
    figures: dict[tuple[int, int], Figures] = field(default_factory=dict)  # (kpi_id, window index) → figures
    latest: dict[int, date] = field(default_factory=dict)  # kpi_id → latest period_start inside the windows


def _layers(windows: Sequence[Window]) -> list[list[int]]:
    """Window indexes in groups of disjoint windows: one CASE places an observation in one window only."""
    layers: list[list[int]] = []
    for i, window in enumerate(windows):
        for layer in layers:
            if all(window.end < windows[j].start or window.start > windows[j].end for j in layer):
                layer.append(i)
                break
        else:
            layers.append([i])
    return layers


def _in_window(window: Window, needed: set[int] | None) -> sa.ColumnElement:
    cond = col(Observation.period_start).between(window.start, window.end)
    days = (window.end - window.start).days + 1
    fits = [period for period, shortest in GRAIN_DAYS.items() if shortest <= days]
    if len(fits) < len(GRAIN_DAYS):  # a month's total is not a week's
        cond = sa.and_(cond, col(Observation.period).in_(fits))
    if needed is not None:
        cond = sa.and_(cond, col(Observation.kpi_id).in_(needed))
    return cond


def _gapless(windows: Sequence[Window], layer: list[int], needs: Sequence[set[int] | None]) -> bool:
    """Whether every row of the layer's date range falls in one of its windows: then no row is left out."""
    ordered = sorted(layer, key=lambda i: windows[i].start)
    whole = all(
        needs[i] is None and (windows[i].end - windows[i].start).days + 1 >= max(GRAIN_DAYS.values()) for i in layer
    )
    return whole and all(
        (windows[b].start - windows[a].end).days == 1 for a, b in zip(ordered, ordered[1:], strict=False)
    )


def _rows(windows: Sequence[Window], needs: Sequence[set[int] | None], kpi_ids: set[int]) -> tuple[sa.Subquery, bool]:
    """The observations of kpi_ids with the index of their window, one layer of windows a SELECT; and whether
    that index can be null (a row in no window)."""
    selects = []
    nullable = False
    for layer in _layers(windows):
        whens = [(_in_window(windows[i], needs[i]), i) for i in sorted(layer, key=lambda i: windows[i].start)]
        if _gapless(windows, layer, needs):  # the last window takes the rest: one comparison less, no null
            bucket = sa.case(*whens[:-1], else_=whens[-1][1]) if len(whens) > 1 else sa.literal(whens[0][1])
        else:
            bucket = sa.case(*whens, else_=None)
            nullable = True
        selects.append(
            sa.select(
                col(Observation.kpi_id).label("kpi_id"),
                bucket.label("bucket"),
                col(Observation.period).label("period"),
                col(Observation.source).label("source"),
                col(Observation.period_start).label("period_start"),
                col(Observation.value).label("value"),
            ).where(
                col(Observation.kpi_id).in_(kpi_ids),
                col(Observation.period_start).between(
                    min(windows[i].start for i in layer), max(windows[i].end for i in layer)
                ),
            )
        )
    return (selects[0] if len(selects) == 1 else sa.union_all(*selects)).subquery("rows"), nullable


def _grouped(session: Session, rows: sa.Subquery, nullable: bool) -> sa.Result:
    v = rows.c.value
    groups = sa.select(
        rows.c.kpi_id,
        rows.c.bucket,
        rows.c.period,
        rows.c.source,
        sa.func.sum(v).label("total"),
        sa.func.count(v).label("n"),
        sa.func.min(v).label("low"),
        sa.func.max(v).label("high"),
        sa.func.max(rows.c.period_start).label("last_start"),
    )
    if nullable:
        groups = groups.where(rows.c.bucket.is_not(None))
    groups = groups.group_by(rows.c.kpi_id, rows.c.bucket, rows.c.period, rows.c.source).subquery("groups")
    o = Observation.__table__.c
    latest = (
        sa.select(o.value)
        .where(
            o.kpi_id == groups.c.kpi_id,
            o.period == groups.c.period,
            o.source == groups.c.source,
            o.period_start == groups.c.last_start,
        )
        .scalar_subquery()
    )
    return session.execute(sa.select(groups, latest.label("last_value")))


def _ranked(session: Session, rows: sa.Subquery, kpi_ids: set[int]) -> dict[tuple[int, int], Figures]:
    """Exact figures of the given KPIs where sources meet: coarsest grain, then one source per period."""
    period, source = rows.c.period, rows.c.source
    grain = sa.case(*[(period == p, rank) for p, rank in GRAIN.items()], else_=0)
    rank = sa.case(*[(source == Source(name), r) for name, r in SOURCE_RANK.items()], else_=9)
    w = {"partition_by": (rows.c.kpi_id, rows.c.bucket), "order_by": (grain.desc(), rows.c.period_start.desc(), rank)}
    ranked = (
        sa.select(
            rows.c.kpi_id,
            rows.c.bucket,
            rows.c.value,
            grain.label("grain"),
            rows.c.period_start,
            sa.func.row_number().over(**w).label("rn"),
            sa.func.first_value(grain).over(**w).label("top"),
            sa.func.lag(rows.c.period_start).over(**w).label("prev"),
        )
        .where(rows.c.bucket.is_not(None), rows.c.kpi_id.in_(kpi_ids))
        .subquery("ranked")
    )
    v = ranked.c.value
    keep = sa.and_(
        ranked.c.grain == ranked.c.top,  # only the coarsest grain of the window
        sa.or_(ranked.c.prev.is_(None), ranked.c.prev != ranked.c.period_start),
    )  # one source a period
    query = (
        sa.select(
            ranked.c.kpi_id,
            ranked.c.bucket,
            sa.func.sum(v),
            sa.func.avg(v),
            sa.func.min(v),
            sa.func.max(v),
            sa.func.max(sa.case((ranked.c.rn == 1, v))),
        )
        .where(keep)
        .group_by(ranked.c.kpi_id, ranked.c.bucket)
    )
    return {(kpi_id, index): tuple(figures) for kpi_id, index, *figures in session.execute(query)}


def measure(
    session: Session, kpi_ids: set[int], windows: Sequence[Window], needs: Sequence[set[int] | None]
) -> Measured:
    """Figures of measured KPIs per window (needs[i]: the KPIs window i is for; None: all), and their latest dates."""
    out = Measured()
    if not kpi_ids or not windows:
        return out
    rows, nullable = _rows(windows, needs, kpi_ids)
    if session.get_bind().dialect.name == "postgresql":
        # PostgreSQL's JIT compiles this query for longer than it runs (1.1M rows: 1.7 s with, 0.8 s without).
        session.execute(sa.text("SET LOCAL jit = off"))
    parts: dict[tuple[int, int], list] = {}
    for row in _grouped(session, rows, nullable):
        parts.setdefault((row.kpi_id, row.bucket), []).append(row)
        if row.kpi_id not in out.latest or row.last_start > out.latest[row.kpi_id]:
            out.latest[row.kpi_id] = row.last_start
    meeting = set()
    for key, groups in parts.items():
        top = max(GRAIN[Period(g.period)] for g in groups)
        mine = [g for g in groups if GRAIN[Period(g.period)] == top]
        if len(mine) > 1:  # sources meet at this grain: the exact query decides
            meeting.add(key[0])
            continue
        g = mine[0]
        out.figures[key] = (g.total, g.total / g.n if g.n else None, g.low, g.high, g.last_value)
    if meeting:
        out.figures.update(_ranked(session, rows, meeting))
    return out
