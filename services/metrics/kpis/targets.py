"""Targets, thresholds and the value of a KPI for a period. The status rule given thresholds lives here.

Periods are calendar dates. Observations arrive already bucketed by the sender (its period_start is a date
in the sender's time zone), so nothing here converts time zones.

Which observations make a KPI's value for a window (a month, quarter, ... of the scorecard):
- An observation counts in a window when its period_start lies in it and its period is not longer than the
  window (a month's total never counts in a week or a day; a week counts in the month where it starts).
- Precedence, so that a KPI fed twice is not counted twice: per KPI and window only ONE granularity is used,
  the coarsest one present in the window (month over week over day); and per KPI, period and period_start only
  ONE source, by precedence manual > import > api > derived (a manual correction wins).
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
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from kit.dates import add_months
from kit.errors import Invalid, field_error
from kit.query import get_scoped
from services.metrics import formula, measure
from services.metrics.models import Direction, Frequency, Kpi, KpiTarget, KpiTargetIn, Observation, ThresholdMode

AMBER, RED = 0.9, 0.6  # relative defaults: attainment at or above AMBER is on track, at or above RED at risk
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
STATUS_LABELS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track", "not_measured": "Not measured"}


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


def stale_since(frequency: str, today: date) -> date:
    """The start of the previous expected period: a KPI whose latest observation began before it is stale."""
    return previous_bounds(frequency, period_bounds(frequency, today)[0])[0]


def is_stale(frequency: str | None, last: date | None, today: date) -> bool:
    """True when the latest observation began before the previous expected period: one is missing."""
    if frequency is None:
        return False
    return last is None or last < stale_since(frequency, today)


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
        raise Invalid.field(
            "amber_threshold" if amber is None else "red_threshold",
            "absolute thresholds need both amber and red values",
        )
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


def paced(kpi: Kpi, actual: float | None, start: date, end: date, today: date) -> float | None:
    """What a summed KPI is heading for while its period still runs: the value so far scaled to the whole period.

    A month's running total judged against the whole month's target would look off track until its last day.
    Days before today count as elapsed (today's figures are rarely in yet). Levels (mean, last, min, max) and
    derived KPIs (a ratio of totals is already a rate) are judged as they are."""
    if actual is None or kpi.aggregation != "sum" or kpi.formula is not None or not start <= today <= end:
        return actual
    elapsed = max(1, (today - start).days)
    return actual * ((end - start).days + 1) / elapsed


@dataclass(frozen=True, slots=True)
class Judgement:
    """A period's value measured against its goal: what it is heading for, the attainment and the status."""

    projected: float | None
    attainment: float | None
    status: str


def judge(kpi: Kpi, actual: float | None, goal: Goal, window: tuple[date, date], today: date) -> Judgement:
    """Attainment and status of a period's value, on pace (see paced) while the period runs."""
    projected = paced(kpi, actual, window[0], window[1], today)
    share = attainment(kpi, projected, goal)
    return Judgement(projected, share, status_of(kpi, projected, share))


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
    """Per KPI, the target of its window: the latest target overlapping it, else the next one after it."""
    if not kpi_ids:
        return {}
    earliest = min(start for start, _ in windows.values())
    rows = session.exec(
        select(KpiTarget)
        .where(col(KpiTarget.kpi_id).in_(set(kpi_ids)), KpiTarget.period_end >= earliest)
        .order_by(col(KpiTarget.kpi_id), col(KpiTarget.period_start))
    ).all()
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
