"""The run page's timeline, drawn on the server: a row per step, the planned span against the actual one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

LABEL_W, DAY_W_MAX, WIDTH, ROW_H, TOP = 220, 28.0, 960, 30, 34


@dataclass(frozen=True)
class Bar:
    x: float
    w: float


@dataclass(frozen=True)
class Row:
    y: float
    title: str
    state: str
    planned: Bar
    actual: Bar | None
    late: bool
    due_x: float


def _day(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, date):
        return value
    return (
        datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
        if "T" in str(value)
        else date.fromisoformat(str(value)[:10])
    )


def timeline(tasks: list[dict], today: date, anchors: dict[str, str]) -> dict[str, Any]:
    """Geometry for the SVG: the span of days, a bar pair per step, the today line, the anchor lines, ticks."""
    days = [
        d
        for t in tasks
        for d in (_day(t["start_on"]), _day(t["due_on"]), _day(t["opened_at"]), _day(t["done_at"]))
        if d
    ]
    days += [today] + [_day(a) for a in anchors.values()]
    first, last = min(days) - timedelta(days=1), max(days) + timedelta(days=2)
    span = max(1, (last - first).days)
    day_w = min(DAY_W_MAX, (WIDTH - LABEL_W - 10) / span)

    def x(day: date) -> float:
        return round(LABEL_W + (day - first).days * day_w, 1)

    rows = []
    for i, t in enumerate(tasks):
        start, due = _day(t["start_on"]), _day(t["due_on"])
        opened, done = _day(t["opened_at"]), _day(t["done_at"])
        actual = None
        if opened:
            end = done or today
            actual = Bar(x(opened), max(day_w * 0.6, (end - opened).days * day_w + day_w))
        late = (done or today) > due and t["state"] not in ("skipped", "waiting")
        start = min(start, due)
        rows.append(
            Row(
                TOP + i * ROW_H,
                t["title"],
                t["state"],
                Bar(x(start), (due - start).days * day_w + day_w),
                actual,
                late,
                x(due) + day_w,
            )
        )
    ticks = []
    day = first
    while day <= last:
        if day.weekday() == 0:
            ticks.append((x(day), day))
        day += timedelta(days=1)
    return {
        "width": WIDTH,
        "height": TOP + len(tasks) * ROW_H + 10,
        "rows": rows,
        "today_x": x(today),
        "anchors": [(key, x(_day(value)) + day_w) for key, value in anchors.items()],
        "ticks": ticks,
        "label_w": LABEL_W,
        "row_h": ROW_H,
    }
