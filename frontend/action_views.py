"""What the action pages and the pages around them (cycle, findings, KPI) need from the tasks service, and the
geometry of the priority matrix and the KPI chart, drawn on the server as SVG (no JavaScript)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import Request

from frontend import sparkline
from frontend.backend import N_, get_or_none
from gateway.auth import BrowserContext
from kit.dates import add_months

STATUSES = {
    "idea": N_("Idea"),
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "evaluated": N_("Evaluated"),
    "dropped": N_("Dropped"),
}
# The buttons an action's page offers from each status: only moves services/tasks/actions/status.py allows by
# hand (a test holds them to it). An idea is planned with the plan form (it needs a period); dropping has its own
# form with the reason; a done action is reopened rather than "started"; an evaluated one is final.
STATUS_MOVES: dict[str, tuple[tuple[str, str], ...]] = {
    "idea": (),
    "planned": (("in_progress", N_("Start")), ("done", N_("Mark done")), ("idea", N_("Back to idea"))),
    "in_progress": (("done", N_("Mark done")), ("planned", N_("Back to planned"))),
    "done": (("in_progress", N_("Reopen")),),
    "evaluated": (),
    "dropped": (("idea", N_("Back to idea")),),
}
QUADRANTS = {
    "quick_win": N_("Quick wins"),
    "big_bet": N_("Big bets"),
    "fill_in": N_("Fill-ins"),
    "money_pit": N_("Money pits"),
}
VERDICTS = {
    "confirmed": N_("Confirmed"),
    "inconclusive": N_("Inconclusive"),
    "contradicted": N_("Contradicted"),
    "not_enough_data": N_("Not enough data"),
}
W, H, PAD = 640, 360, 36


async def actions(request: Request, browser: BrowserContext, **params: Any) -> list[dict[str, Any]] | None:
    """Actions from the tasks service (None when it does not answer)."""
    body = await get_or_none(request, browser, "/api/v1/actions", params={"limit": 500, **params})
    return body.get("data") if isinstance(body, dict) else None


async def effects(request: Request, browser: BrowserContext, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The effect evidence of done actions by id ({} when none or the services do not answer)."""
    if not ids:
        return {}
    params = {"ids": ",".join(map(str, ids[:500]))}
    body = await get_or_none(request, browser, "/api/v1/actions/effects", params=params)
    return {e["action_id"]: e for e in (body or {}).get("data", [])} if isinstance(body, dict) else {}


async def for_cycle(request: Request, browser: BrowserContext, cycle: dict[str, Any]) -> dict[str, Any]:
    """The cycle page's part: the action made from each finding, and the actions on the surface done since the
    last cycle before this one ended (since this cycle's period began when it is the first), with their effect."""
    ids = [f["id"] for f in cycle.get("findings", [])]
    made = await actions(request, browser, finding_ids=",".join(map(str, ids))) if ids else []
    since, last = await _since_last_cycle(request, browser, cycle)
    done = await actions(
        request, browser, surface_id=cycle["surface_id"], status=["done", "evaluated"], done_since=since.isoformat()
    )
    return {
        "finding_actions": {a["finding_id"]: a for a in made or []},
        "done_actions": sorted(done or [], key=lambda a: (a["done_on"] or "", a["id"])),
        "done_since": since,
        "last_cycle": last,
        "done_effects": await effects(request, browser, [a["id"] for a in done or []]),
        "verdicts": VERDICTS,
        "action_statuses": STATUSES,
    }


async def _since_last_cycle(request: Request, browser: BrowserContext, cycle: dict[str, Any]):
    """The day after the surface's previous cycle ended, and that cycle (this cycle's first day and None without)."""
    body = await get_or_none(
        request, browser, "/api/v1/cycles",
        params={"surface_id": cycle["surface_id"], "sort": "-period_start", "limit": 50},
    )  # fmt: skip
    start = date.fromisoformat(cycle["period_start"])
    rows = body.get("data", []) if isinstance(body, dict) else []
    last = next((c for c in rows if c["id"] != cycle["id"] and date.fromisoformat(c["period_start"]) < start), None)
    if last is None:
        return start, None
    return min(start, date.fromisoformat(last["period_end"]) + timedelta(days=1)), last


@dataclass(frozen=True, slots=True)
class Point:
    action: dict[str, Any]
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Matrix:
    points: list[Point]
    split_x: float
    split_y: float
    max_hours: float
    unplaced: list[dict[str, Any]]
    width: int = W
    height: int = H
    pad: int = PAD


def matrix(rows: list[dict[str, Any]], low_effort_hours: float, high_gain: int = 3) -> Matrix:
    """Effort (x, square-root scale: small efforts stay apart) against gain (y, 1 at the bottom, 5 at the top)."""
    placed = [a for a in rows if a.get("effort_hours") is not None and a.get("gain_used") is not None]
    top = max([low_effort_hours * 2, *(a["effort_hours"] for a in placed)])

    def x(hours: float) -> float:
        return round(PAD + math.sqrt(max(0.0, hours) / top) * (W - 2 * PAD), 1)

    def y(gain: float) -> float:
        return round(H - PAD - (gain - 0.5) / 5 * (H - 2 * PAD), 1)

    seen: dict[tuple[float, float], int] = {}
    points = []
    for a in placed:
        key = (x(a["effort_hours"]), y(a["gain_used"]))
        n = seen.get(key, 0)
        seen[key] = n + 1
        points.append(Point(a, key[0] + (n % 4) * 9, key[1] - (n // 4) * 9))  # side by side, never on top
    return Matrix(points, x(low_effort_hours), y(high_gain - 0.5), top, [a for a in rows if a not in placed])


@dataclass(frozen=True, slots=True)
class Chart:
    line: str
    dots: list[tuple[float, float, str, float]]
    marks: list[tuple[float, dict[str, Any]]]
    low: float | None
    high: float | None
    width: int = W
    height: int = 160


def kpi_chart(observations: list[dict[str, Any]], done: list[dict[str, Any]]) -> Chart:
    """The KPI's values over time (one per period start; a later source does not double a period) with a marker
    at each done action's date."""
    values: dict[str, float] = {}
    for o in observations:
        values.setdefault(o["period_start"], o["value"])
    days = sorted(values)
    if not days:
        return Chart("", [], [], None, None)
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    marks_on = [date.fromisoformat(a["done_on"]) for a in done if a.get("done_on")]
    first, last = min([first, *marks_on]), max([last, *marks_on])
    span = max(1, (last - first).days)
    low, high = min(values.values()), max(values.values())
    height = 160

    def px(day: date) -> float:
        return round(PAD + (day - first).days / span * (W - 2 * PAD), 1)

    def py(v: float) -> float:
        return round(height / 2 if high == low else 12 + (high - v) / (high - low) * (height - 36), 1)

    dots = [(px(date.fromisoformat(d)), py(values[d]), d, values[d]) for d in days]
    return Chart(" ".join(f"{x},{y}" for x, y, _, _ in dots), dots, marks(done, px), low, high)


def marks(done: list[dict[str, Any]], x_of: Any) -> list[tuple[float, dict[str, Any]]]:
    """Where each done action's marker stands on a chart: (x, action), oldest first; x_of(day) gives the x of a
    day, or None when the day is off the chart. The KPI chart and the scorecard's sparklines both draw these
    (the template macro in _action_marker.html)."""
    placed = [(x_of(date.fromisoformat(a["done_on"])), a) for a in done if a.get("done_on")]
    return sorted(((x, a) for x, a in placed if x is not None), key=lambda m: (m[0], m[1]["id"]))


MONTHS = {"month": 1, "quarter": 3, "year": 12}


def spark_marks(s: sparkline.Spark, kind: str, current_start: Any, done: list[dict[str, Any]]):
    """The done actions' markers on a scorecard sparkline: its points are the `s.periods` periods of `kind`
    ending with the one starting on `current_start`; an action done in period i stands at i plus the share of the
    period gone by (the last period's marker stays inside the box)."""
    step_months = MONTHS.get(kind)
    last = date.fromisoformat(str(current_start)[:10]) if current_start else None
    if not done or step_months is None or last is None or s.periods < 1:
        return []
    starts = [add_months(last, -(s.periods - 1 - i) * step_months) for i in range(s.periods + 1)]
    starts[-1] = add_months(last, step_months)
    step = (s.width - 2 * sparkline.PAD) / max(1, s.periods - 1)

    def x_of(day: date) -> float | None:
        if not starts[0] <= day < starts[-1]:
            return None
        i = max(n for n in range(s.periods) if starts[n] <= day)
        share = (day - starts[i]).days / max(1, (starts[i + 1] - starts[i]).days)
        return round(min(sparkline.PAD + (i + share) * step, s.width - sparkline.PAD), 1)

    return marks(done, x_of)


def spark_since(kind: str, current_start: str, periods: int = 12) -> date:
    """The first day of a scorecard sparkline of `periods` periods of `kind` ending with `current_start`'s."""
    return add_months(date.fromisoformat(current_start[:10]), -(periods - 1) * MONTHS.get(kind, 1))


async def done_by_kpi(request: Request, browser: BrowserContext, since: date) -> dict[int, list[dict[str, Any]]]:
    """The actions done on or after `since` by the KPI they aim at (one call, for a whole scorecard)."""
    rows = await actions(request, browser, status=["done", "evaluated"], done_since=since.isoformat())
    found: dict[int, list[dict[str, Any]]] = {}
    for a in rows or []:
        if a.get("kpi_id") is not None and a.get("done_on"):
            found.setdefault(a["kpi_id"], []).append(a)
    return found


def install(env) -> None:
    """The template global the scorecard's sparkline draws its markers with (idempotent)."""
    env.globals.update(spark_marks=spark_marks)


async def for_kpi(request: Request, browser: BrowserContext, kpi_id: int) -> dict[str, Any]:
    """The KPI page's part: its values over time and its actions, the done ones as markers on the chart."""
    rows = await actions(request, browser, kpi_id=kpi_id)
    done = [a for a in rows or [] if a.get("done_on")]
    body = await get_or_none(
        request, browser, "/api/v1/observations",
        params={"kpi_id": kpi_id, "sort": "-period_start", "limit": 500},
    )  # fmt: skip
    observations = (body or {}).get("data", []) if isinstance(body, dict) else []
    return {"kpi_actions": rows or [], "action_chart": kpi_chart(observations, done), "action_statuses": STATUSES}
