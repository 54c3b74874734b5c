"""Effect evidence in SQL: for many probes at once, one aggregate over the KPIs' observations gives each probe's
baseline, window, same-periods-a-year-before and period-to-period-change sums; verdict.py judges them.

Observations count at the KPI's grain (its expected frequency; a quarter counts in months; none: month). Where
several sources gave a value for one period, the one that wins elsewhere wins here (manual, import, api, derived)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from kit.dates import add_months
from kit.errors import Invalid
from services.metrics.effects.models import Bounds, EffectPublic, EffectVerdict, Probe, Sums
from services.metrics.effects.verdict import judge
from services.metrics.kpis import measure
from services.metrics.kpis.models import Kpi
from services.metrics.observations.models import Observation

NOISE_PERIODS = 12
UNION_CHUNK = 400  # SQLite allows 500 terms in one compound SELECT: larger sets nest unions of unions
# The same precedence as every other reading of a period (kpis.measure): one source counts per period.
SOURCE_RANK = sa.case(*[(col(Observation.source) == name, r) for name, r in measure.SOURCE_RANK.items()], else_=9)


def parse_probe(text: str, index: int = 0) -> Probe:
    """ "ref:kpi_id:done_on:periods:up|down[:size[:percent|absolute]]" → a Probe; a 422 naming probe.<index>."""
    parts = text.split(":")
    try:
        ref, kpi, done, periods, direction = parts[:5]
        size = float(parts[5]) if len(parts) > 5 and parts[5] else None
        unit = parts[6] if len(parts) > 6 and parts[6] else "percent"
        probe = Probe(ref, int(kpi), date.fromisoformat(done), int(periods), direction, size, unit)
    except (ValueError, IndexError):
        raise Invalid.field(f"probe.{index}", "use ref:kpi_id:done_on:periods:up|down[:size[:unit]]") from None
    if not (ref and 1 <= probe.kpi_id < 2**31 and 1 <= probe.periods <= 36 and direction in ("up", "down")):
        raise Invalid.field(f"probe.{index}", "kpi_id ≥ 1, 1-36 periods, direction up or down")
    if unit not in ("percent", "absolute") or (size is not None and not 0 <= size < 1e15):
        raise Invalid.field(f"probe.{index}", "size ≥ 0; unit percent or absolute")
    return probe


def grain_of(expected_frequency: str | None) -> str:
    return expected_frequency if expected_frequency in ("day", "week") else "month"


def _start(day: date, grain: str) -> date:
    if grain == "day":
        return day
    return day - timedelta(days=day.weekday()) if grain == "week" else day.replace(day=1)


def _add(start: date, grain: str, n: int) -> date:
    if grain == "day":
        return start + timedelta(days=n)
    return start + timedelta(weeks=n) if grain == "week" else add_months(start, n)


YEAR = {"day": 364, "week": 52, "month": 12}  # a year back in periods, weekdays kept


def bounds(probe: Probe, grain: str) -> Bounds:
    """The probe's ranges: n periods after the one it was done in, n before it, the window a year back, and the
    12 periods before it for the normal variation."""
    done = _start(probe.done_on, grain)
    window_start = _add(done, grain, 1)
    window_end = _add(window_start, grain, probe.periods) - timedelta(days=1)
    return Bounds(
        grain=grain,
        done_start=done,
        window_start=window_start,
        window_end=window_end,
        base_start=_add(done, grain, -probe.periods),
        base_end=done - timedelta(days=1),
        season_start=_add(window_start, grain, -YEAR[grain]),
        season_end=_add(window_end + timedelta(days=1), grain, -YEAR[grain]) - timedelta(days=1),
        noise_start=_add(done, grain, -NOISE_PERIODS),
    )


def _probes_table(items: Sequence[tuple[int, int, Bounds]]) -> sa.CTE:
    """The probes as rows of a derived table (no temporary table: a read writes nothing)."""

    def row(i: int, kpi_id: int, b: Bounds) -> sa.Select:
        dates = {
            "lo": min(b.base_start, b.noise_start, b.season_start), "hi": b.window_end,
            "ws": b.window_start, "we": b.window_end, "bs": b.base_start, "be": b.base_end,
            "ss": b.season_start, "se": b.season_end, "ns": b.noise_start, "ds": b.done_start,
        }  # fmt: skip
        cols = [sa.literal(i, sa.Integer).label("i"), sa.literal(kpi_id, sa.Integer).label("kpi_id")]
        return sa.select(*cols, *(sa.literal(v, sa.Date).label(k) for k, v in dates.items()))

    selects = [row(*item) for item in items]
    chunks = [sa.union_all(*selects[s : s + UNION_CHUNK]) for s in range(0, len(selects), UNION_CHUNK)]
    if len(chunks) == 1:
        return chunks[0].cte("p") if len(selects) > 1 else selects[0].cte("p")
    return sa.union_all(*(sa.select(c.subquery()) for c in chunks)).cte("p")


def _series(workspace_id: int, grains: dict[int, str]) -> sa.CTE:
    """One value per KPI and period at the KPI's grain, with its change since the KPI's previous period."""
    by_grain: dict[str, list[int]] = {}
    for kpi_id, grain in grains.items():
        by_grain.setdefault(grain, []).append(kpi_id)
    at_grain = sa.or_(
        *(sa.and_(col(Observation.period) == g, col(Observation.kpi_id).in_(ids)) for g, ids in by_grain.items())
    )
    rank = sa.func.row_number().over(
        partition_by=[col(Observation.kpi_id), col(Observation.period_start)], order_by=SOURCE_RANK
    )
    ranked = (
        select(Observation.kpi_id, Observation.period_start, Observation.value, rank.label("rn"))
        .where(Observation.workspace_id == workspace_id, at_grain)
        .subquery("ranked")
    )
    prev = sa.func.lag(ranked.c.value).over(partition_by=ranked.c.kpi_id, order_by=ranked.c.period_start)
    return (
        sa.select(ranked.c.kpi_id, ranked.c.period_start, ranked.c.value, (ranked.c.value - prev).label("diff"))
        .where(ranked.c.rn == 1)
        .cte("s")
    )


def aggregate(session: Session, workspace_id: int, items: Sequence[tuple[int, int, Bounds]]) -> dict[int, Sums]:
    """The one SQL aggregate: per probe index, the counts and sums of its baseline, window, season and noise."""
    if not items:
        return {}
    p = _probes_table(items)
    s = _series(workspace_id, {kpi_id: b.grain for _, kpi_id, b in items})
    ps = s.c.period_start

    def within(lo, hi, value=s.c.value):
        return sa.case((ps.between(lo, hi), value), else_=None)

    noise = sa.and_(ps > p.c.ns, ps < p.c.ds)
    diff = sa.case((noise, s.c.diff), else_=None)
    query = (
        sa.select(
            p.c.i,
            sa.func.count(within(p.c.bs, p.c.be)),
            sa.func.sum(within(p.c.bs, p.c.be)),
            sa.func.count(within(p.c.ws, p.c.we)),
            sa.func.sum(within(p.c.ws, p.c.we)),
            sa.func.count(within(p.c.ss, p.c.se)),
            sa.func.sum(within(p.c.ss, p.c.se)),
            sa.func.count(diff),
            sa.func.sum(diff),
            sa.func.sum(diff * diff),
        )  # fmt: skip
        .select_from(p.join(s, sa.and_(s.c.kpi_id == p.c.kpi_id, ps.between(p.c.lo, p.c.hi))))
        .group_by(p.c.i)
    )
    return {row[0]: Sums(*(v or 0 for v in row[1:])) for row in session.execute(query)}


def compute(*, session: Session, workspace_id: int, probes: Sequence[Probe], today: date) -> list[EffectPublic]:
    """The evidence for every probe, in order; a KPI outside the workspace gives "not enough data", no figures."""
    kpi_ids = {p.kpi_id for p in probes}
    kpis = session.exec(
        select(Kpi.id, Kpi.expected_frequency).where(Kpi.workspace_id == workspace_id, col(Kpi.id).in_(kpi_ids))
    ).all()
    grains = {kpi_id: grain_of(freq.value if freq else None) for kpi_id, freq in kpis}
    items = [(i, p.kpi_id, bounds(p, grains[p.kpi_id])) for i, p in enumerate(probes) if p.kpi_id in grains]
    sums = aggregate(session, workspace_id, items)
    known = {i: b for i, _, b in items}
    out = []
    for i, probe in enumerate(probes):
        if i not in known:
            reason = f"No KPI {probe.kpi_id} in this workspace."
            out.append(EffectPublic(ref=probe.ref, kpi_id=probe.kpi_id, grain=None, verdict=_none(), reason=reason))
            continue
        out.append(judge(probe, known[i], sums.get(i, Sums()), today=today))
    return out


def _none() -> EffectVerdict:
    return EffectVerdict.not_enough_data
