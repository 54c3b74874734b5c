"""KPI figures for the measurement pages: values by unit, change against the previous period, and the sparkline.

The sparkline is drawn on the server as SVG geometry (no JavaScript): a line through the periods that have a
value, broken where a period has none, so a gap reads as a gap and never as a made-up zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.dates import format_date

from frontend import formatting

WIDTH, HEIGHT, PAD = 240, 40, 4


def figure(value: Any, unit: str | None, lang: str, currency_code: str | None = None) -> str:
    """A KPI value in the page's language by its unit: "12.5 %", "NOK 1,234.5", "3.5 h", "1,234"."""
    if value is None:
        return ""
    if unit == "currency" and currency_code:
        return formatting.money(value, currency_code, lang)
    text = formatting.number(value, lang)
    if unit == "percent":
        return f"{text}\u00a0%"
    if unit == "duration":
        return f"{text}\u00a0h"
    return text


def trend(change: float | None, direction: str | None) -> str:
    """better, worse or same for a change by the KPI's direction; "" when unknown or judged by a band."""
    if change is None:
        return ""
    if change == 0:
        return "same"
    if direction == "target_band":
        return "up" if change > 0 else "down"
    better = change > 0 if direction != "lower_is_better" else change < 0
    return "better" if better else "worse"


def period_label(kind: str, start: Any, lang: str) -> str:
    """The name of a scorecard period in the page's language: "November 2026", "Q4 2026", "2026"."""
    day = formatting.as_date(start)
    if day is None:
        return str(start)
    if kind == "year":
        return str(day.year)
    if kind == "quarter":
        return format_date(day, "QQQ y", locale=lang)
    # CLDR's stand-alone month keeps each language's case: "December 2026", but "december 2026" in Swedish.
    return format_date(day, "LLLL y", locale=lang)


@dataclass(frozen=True, slots=True)
class Spark:
    """The geometry of a sparkline: polylines between gaps, lone points, the last point, and what it says."""

    lines: list[str]
    dots: list[tuple[float, float]]
    last: tuple[float, float] | None
    first_value: float | None
    last_value: float | None
    low: float | None
    high: float | None
    measured: int
    periods: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def empty(self) -> bool:
        return self.measured == 0


def spark(values: list[float | None], width: int = WIDTH, height: int = HEIGHT) -> Spark:
    """Scale the values into a width × height box (oldest left); None leaves a gap in the line."""
    known = [v for v in values if v is not None]
    if not known:
        return Spark([], [], None, None, None, None, None, 0, len(values), width, height)
    low, high = min(known), max(known)
    span = high - low
    step = (width - 2 * PAD) / max(1, len(values) - 1)

    def point(i: int, v: float) -> tuple[float, float]:
        y = height / 2 if span == 0 else PAD + (high - v) / span * (height - 2 * PAD)
        return round(PAD + i * step, 1), round(y, 1)

    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(point(i, v))
    runs = [r for r in runs if r]
    lines = [" ".join(f"{x},{y}" for x, y in r) for r in runs if len(r) > 1]
    dots = [r[0] for r in runs if len(r) == 1]
    last_index = max(i for i, v in enumerate(values) if v is not None)
    return Spark(
        lines,
        dots,
        point(last_index, values[last_index]),
        known[0],
        known[-1],
        low,
        high,
        len(known),
        len(values),
        width,
        height,
    )


def install(env) -> None:
    """The template filters and globals of the measurement pages (idempotent: every page module calls it)."""
    env.filters.update(kpi_figure=figure, kpi_trend=trend)
    env.globals.update(spark=spark, scorecard_period=period_label)
