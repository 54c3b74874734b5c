"""The scorecard: a period's KPIs as inputs → activities → results, with status, change and a sparkline.

At most five queries whatever the number of KPIs: the KPIs, the workspace's formulas, their values for the
period and the eleven before it (one aggregate query; a second one only for KPIs where several sources meet),
and their targets. Staleness comes from the same aggregate when the twelve periods reach today; for a past
period one more query finds each KPI's latest observation.

Values follow the precedence rule of kpis/figures.py: per KPI and period only the coarsest granularity present
(month over week over day) and per observed period only one source (manual > import > api > connector >
derived), so a KPI fed both daily and monthly, or by the API and by hand, is not counted twice.

Derived KPIs stay in their own category's column, placed right after the last of their inputs in that column
(after any derived KPI already placed there); one whose inputs are all in other columns comes at the end of its
column. Within that, KPIs are ordered by name.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, or_, select

from services.metrics.connectors.service import failing_kpis
from services.metrics.kpis.figures import Bucket, figures, last_observed, load_graph
from services.metrics.kpis.models import Category, Kpi
from services.metrics.kpis.periods import is_stale, period_bounds, period_label, previous_bounds, stale_since
from services.metrics.kpis.status import STATUS_LABELS, Goal, Judgement, judge
from services.metrics.kpis.targets import goals_for
from services.metrics.observations.service import cell

SPARKLINE = 12  # periods, the current one last
CSV_COLUMNS = ("category", "kpi", "unit", "value", "target", "attainment", "status", "previous", "change", "stale")


def _periods(kind: str, day: date) -> list[tuple[date, date]]:
    """The SPARKLINE periods ending with the one holding `day`, oldest first."""
    periods = [period_bounds(kind, day)]
    while len(periods) < SPARKLINE:
        periods.append(previous_bounds(kind, periods[-1][0]))
    return periods[::-1]


def _sees_staleness(kpis: list[Kpi], periods: list[tuple[date, date]], today: date) -> bool:
    """Whether the scorecard's own windows cover every KPI's staleness horizon up to today, so the latest
    observation inside them decides staleness and no scan of all history is needed."""
    horizons = [stale_since(k.expected_frequency.value, today) for k in kpis if k.expected_frequency]
    return periods[-1][1] >= today and (not horizons or periods[0][0] <= min(horizons))


def _kpis(session: Session, workspace_id: int, surface_id: int | None) -> list[Kpi]:
    where = [Kpi.workspace_id == workspace_id, Kpi.archived == False]  # noqa: E712  (SQL, not Python)
    if surface_id is not None:
        where.append(or_(Kpi.surface_id == surface_id, col(Kpi.surface_id).is_(None)))
    return list(session.exec(select(Kpi).where(*where).order_by(func.lower(col(Kpi.name)), col(Kpi.id))).all())


def _beside_inputs(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The column's measured KPIs by name, each derived KPI right after the last of its inputs in the column."""
    placed = [item for item in items if not item["derived"]]
    waiting = [item for item in items if item["derived"]]
    anchor: dict[int, int | None] = {}  # derived KPI → the input it was placed after

    def under(kpi_id: int, root: int) -> bool:
        while kpi_id in anchor and anchor[kpi_id] is not None:
            kpi_id = anchor[kpi_id]
            if kpi_id == root:
                return True
        return False

    while waiting:
        ready = [
            item
            for item in waiting
            if not any(other["kpi_id"] in item["inputs"] for other in waiting if other is not item)
        ]
        if not ready:  # formulas in a loop (two racing edits): the rest at the end
            placed.extend(waiting)
            break
        for item in ready:
            spots = [n for n, other in enumerate(placed) if other["kpi_id"] in item["inputs"]]
            if spots:
                root = placed[spots[-1]]["kpi_id"]
                at = spots[-1] + 1
                while at < len(placed) and under(placed[at]["kpi_id"], root):
                    at += 1  # after what already hangs on the same input: siblings keep name order
            else:
                root, at = None, len(placed)
            anchor[item["kpi_id"]] = root
            placed.insert(at, item)
            waiting.remove(item)
    return placed


def _item(kpi: Kpi, line: list[float | None], goal: Goal, stale: bool, judged: Judgement) -> dict[str, Any]:
    value, previous = line[-1], line[-2]
    change = value - previous if value is not None and previous is not None else None
    return {
        "kpi_id": kpi.id,
        "name": kpi.name,
        "unit": kpi.unit.value,
        "currency_code": kpi.currency_code,
        "direction": kpi.direction.value,
        "value": value,
        "previous_value": previous,
        "change": change,
        "target": goal.target,
        "band_low": goal.band_low,
        "band_high": goal.band_high,
        "projected": judged.projected,
        "attainment": judged.attainment,
        "status": judged.status,
        "status_label": STATUS_LABELS[judged.status],
        "sparkline": line,
        "stale": stale,
        "category": kpi.category.value,
        "source": kpi.source,
    }


def build(
    *,
    session: Session,
    workspace_id: int,
    period: str,
    day: date,
    surface_id: int | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """The scorecard of the workspace (or of one surface and the workspace-wide KPIs) for a period."""
    kpis = _kpis(session, workspace_id, surface_id)
    periods = _periods(period, day)
    ids = [k.id for k in kpis]
    graph = load_graph(session, ids)
    measured = figures(session, ids, [Bucket(start, end) for start, end in periods], graph=graph)
    found = measured.values
    goals = goals_for(session, ids, {i: periods[-1] for i in ids})
    today = today or date.today()
    last = measured.latest if _sees_staleness(kpis, periods, today) else last_observed(session, ids, graph=graph)
    columns: dict[str, list[dict[str, Any]]] = {c.value: [] for c in Category}
    failing = failing_kpis(session=session, workspace_id=workspace_id, kpi_ids=ids)
    for kpi in kpis:
        line = [found.get((kpi.id, n)) for n in range(SPARKLINE)]
        stale = is_stale(kpi.expected_frequency and kpi.expected_frequency.value, last.get(kpi.id), today)
        goal = goals.get(kpi.id, Goal())
        item = _item(kpi, line, goal, stale, judge(kpi, line[-1], goal, periods[-1], today))
        item.update(derived=kpi.formula is not None, formula_display=graph.display(kpi.id), inputs=graph.inputs(kpi.id))
        item["connector_failing"] = kpi.id in failing
        columns[kpi.category.value].append(item)
    start, end = periods[-1]
    return {
        "period": {"kind": period, "start": start, "end": end, "label": period_label(period, start)},
        "columns": {name: _beside_inputs(items) for name, items in columns.items()},
    }


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def to_csv(card: dict[str, Any]) -> str:
    """The scorecard as CSV, column by column; names safe from spreadsheet formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for category in Category:
        for item in card["columns"][category.value]:
            unit = item["currency_code"] if item["unit"] == "currency" and item["currency_code"] else item["unit"]
            writer.writerow(
                [
                    category.value,
                    cell(item["name"]),
                    unit,
                    _number(item["value"]),
                    _number(item["target"]),
                    _number(item["attainment"]),
                    item["status"],
                    _number(item["previous_value"]),
                    _number(item["change"]),
                    "true" if item["stale"] else "false",
                ]
            )
    return out.getvalue()
