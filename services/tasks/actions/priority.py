"""The priority matrix: effort against gain, the quadrant names, the gain suggested by an expected effect,
and the RICE and ICE scores. "Quick wins first" is an ORDER BY, so a page of 2,000 actions is one query."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from services.tasks.actions.models import Action, Quadrant, SizeUnit

HIGH_GAIN = 3  # gain 3, 4 or 5 of 5 is high
QUADRANT_ORDER = [Quadrant.quick_win, Quadrant.big_bet, Quadrant.fill_in, Quadrant.money_pit]
# An expected change of at least this many percent suggests this gain.
GAIN_STEPS = [(20.0, 5), (10.0, 4), (5.0, 3), (2.0, 2)]


def suggested_gain(size: float | None, unit: SizeUnit | str | None, baseline: float | None) -> int | None:
    """Gain 1-5 from the expected effect in percent of the baseline; None when it cannot be told."""
    if size is None:
        return None
    if unit == SizeUnit.absolute:
        if not baseline:
            return None
        size = abs(size / baseline) * 100
    for floor, gain in GAIN_STEPS:
        if size >= floor:
            return gain
    return 1


def quadrant(effort_hours: float | None, gain: int | None, low_effort_hours: float) -> Quadrant | None:
    """Where an action sits: low effort is at most the workspace's M size in hours."""
    if effort_hours is None or gain is None:
        return None
    low = effort_hours <= low_effort_hours
    high = gain >= HIGH_GAIN
    if low:
        return Quadrant.quick_win if high else Quadrant.fill_in
    return Quadrant.big_bet if high else Quadrant.money_pit


def rice(reach: int | None, impact: float | None, confidence: int | None, effort: float | None) -> float | None:
    """Reach × impact × confidence ÷ effort (effort in hours here, not person-months)."""
    if None in (reach, impact, confidence) or not effort:
        return None
    return round(reach * impact * (confidence / 100) / effort, 2)


def ice(impact: int | None, confidence: int | None, ease: int | None) -> float | None:
    """Impact × confidence × ease, each 1-10."""
    if None in (impact, confidence, ease):
        return None
    return float(impact * confidence * ease)


def gain_used() -> sa.ColumnElement:
    return sa.func.coalesce(col(Action.gain), col(Action.gain_suggested))


def quadrant_rank(low_effort_hours: float) -> sa.ColumnElement:
    """0 quick win, 1 big bet, 2 fill-in, 3 money pit, 4 not yet placed: the SQL of quadrant()."""
    gain = gain_used()
    effort = col(Action.effort_hours)
    return sa.case(
        (sa.or_(effort.is_(None), gain.is_(None)), 4),
        (sa.and_(effort <= low_effort_hours, gain >= HIGH_GAIN), 0),
        (gain >= HIGH_GAIN, 1),
        (effort <= low_effort_hours, 2),
        else_=3,
    )


def matrix_order(low_effort_hours: float) -> list:
    """Quick wins first; inside a quadrant the highest gain, then the least effort."""
    return [
        quadrant_rank(low_effort_hours),
        gain_used().desc().nulls_last(),
        col(Action.effort_hours).asc().nulls_last(),
        col(Action.id),
    ]
