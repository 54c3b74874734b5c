"""The value of a KPI for a window (figures), measured or derived.

Which observations make a KPI's value for a window (a month, quarter, ... of the scorecard):
- An observation counts in a window when its period_start lies in it and its period is not longer than the
  window (a month's total never counts in a week or a day; a week counts in the month where it starts).
- Precedence, so that a KPI fed twice is not counted twice: per KPI and window only ONE granularity is used,
  the coarsest one present in the window (month over week over day); and per KPI, period and period_start only
  ONE source, by precedence manual > import > api > connector > derived (a manual correction wins).
- The remaining observations aggregate by the KPI's aggregation (sum, mean, min, max, or the value of the
  latest period_start for last).
- A derived KPI (one with a formula) takes no observations: its value for a window is its formula evaluated
  on its inputs' values for the same window (derived inputs in turn by their formulas). A missing input or a
  division by zero gives no value.

Values of every KPI and every window asked for come from one aggregate query (window functions pick the
granularity and the source; SQLite 3.25+ and PostgreSQL), plus one small query for the workspace's formulas,
so reads do not grow in queries with the number of KPIs.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col

from services.metrics.kpis import formula, measure
from services.metrics.kpis.models import Frequency, Kpi
from services.metrics.observations.models import Observation


@dataclass(frozen=True, slots=True)
class Bucket:
    """A window of dates; with a frequency it applies only to KPIs expecting that one (null counts as month)."""

    start: date
    end: date
    frequency: str | None = None


AGGREGATES = ("sum", "mean", "min", "max", "last")  # the order of measure.Figures


def _graph(session: Session, where: sa.ColumnElement) -> formula.Graph:
    rows = session.execute(
        sa.select(
            col(Kpi.id),
            col(Kpi.name),
            col(Kpi.expected_frequency),
            col(Kpi.archived),
            col(Kpi.formula),
            col(Kpi.aggregation),
        ).where(where)
    )
    return formula.Graph(
        {
            kpi_id: formula.node_of(name, frequency.value if frequency else None, archived, text, aggregation.value)
            for kpi_id, name, frequency, archived, text, aggregation in rows
        }
    )


def load_graph(session: Session, kpi_ids: Collection[int]) -> formula.Graph:
    """Every KPI of the workspaces of kpi_ids as formulas see them: one query, whatever the number of KPIs."""
    if not kpi_ids:
        return formula.Graph({})
    spaces = sa.select(col(Kpi.workspace_id)).where(col(Kpi.id).in_(set(kpi_ids))).scalar_subquery()
    return _graph(session, col(Kpi.workspace_id).in_(spaces))


def workspace_graph(session: Session, workspace_id: int) -> formula.Graph:
    """Every KPI of the workspace as formulas see them: one query."""
    return _graph(session, col(Kpi.workspace_id) == workspace_id)


def _frequency(graph: formula.Graph, kpi_id: int) -> str:
    node = graph.nodes.get(kpi_id)
    return (node.frequency if node else None) or Frequency.month.value


def _finite(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class Figures:
    """Values per (kpi_id, bucket index), and per KPI the latest period_start found inside the buckets."""

    values: dict[tuple[int, int], float]
    latest: dict[int, date]


def figures(
    session: Session, kpi_ids: Collection[int], buckets: Sequence[Bucket], *, graph: formula.Graph | None = None
) -> Figures:
    """values() and the latest observation inside the buckets (of a derived KPI: the oldest of its inputs')."""
    if not kpi_ids or not buckets:
        return Figures({}, {})
    graph = graph if graph is not None else load_graph(session, kpi_ids)
    applies = [
        None if b.frequency is None else {k for k in kpi_ids if _frequency(graph, k) == b.frequency} for b in buckets
    ]
    needs = [None if mine is None else graph.measured_inputs(mine) for mine in applies]
    found = measure.measure(session, graph.measured_inputs(kpi_ids), buckets, needs)
    picked = {}
    for (kpi_id, index), figures_ in found.figures.items():
        node = graph.nodes.get(kpi_id)
        picked[(kpi_id, index)] = _finite(figures_[AGGREGATES.index(node.aggregation if node else "sum")])
    formulas = {k for k, node in graph.nodes.items() if node.derived}
    wanted = set(kpi_ids) - formulas  # picked also holds inputs that were not asked for
    out = {
        (k, i): value
        for (k, i), value in picked.items()
        if value is not None and k in wanted and (applies[i] is None or k in applies[i])
    }
    derived = [k for k in kpi_ids if k in formulas]
    for index in range(len(buckets)) if derived else ():
        memo: dict[int, float | None] = {}
        for kpi_id in derived if applies[index] is None else [k for k in derived if k in applies[index]]:
            value = graph.value(kpi_id, lambda k, index=index: picked.get((k, index)), memo)
            if value is not None:
                out[(kpi_id, index)] = value
    return Figures(out, _through_inputs(graph, kpi_ids, found.latest))


def values(
    session: Session, kpi_ids: Collection[int], buckets: Sequence[Bucket], *, graph: formula.Graph | None = None
) -> dict[tuple[int, int], float]:
    """{(kpi_id, bucket index): value} for every KPI and bucket with a value, by the rules of the module doc:
    measured KPIs by one aggregate query, derived KPIs by their formulas over their inputs' values."""
    return figures(session, kpi_ids, buckets, graph=graph).values


def _through_inputs(graph: formula.Graph, kpi_ids: Collection[int], found: dict[int, date]) -> dict[int, date]:
    """Per KPI its latest date; a derived KPI's is the oldest of its measured inputs' (none if one has none)."""
    out = {}
    for kpi_id in kpi_ids:
        inputs = graph.measured_inputs([kpi_id]) if graph.derived(kpi_id) else {kpi_id}
        dates = [found.get(i) for i in inputs]
        if dates and all(dates):
            out[kpi_id] = min(dates)
    return out


def last_observed(session: Session, kpi_ids: Collection[int], *, graph: formula.Graph | None = None) -> dict[int, date]:
    """The latest observation's period_start of each KPI (of a derived one: the oldest of its inputs' latest)."""
    if not kpi_ids:
        return {}
    graph = graph if graph is not None else load_graph(session, kpi_ids)
    measured_ids = graph.measured_inputs(kpi_ids)
    rows = session.execute(
        sa.select(col(Observation.kpi_id), sa.func.max(col(Observation.period_start)))
        .where(col(Observation.kpi_id).in_(measured_ids))
        .group_by(col(Observation.kpi_id))
    )
    found = {kpi_id: last for kpi_id, last in rows} if measured_ids else {}
    return _through_inputs(graph, kpi_ids, found)
