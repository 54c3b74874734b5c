"""The metrics service's part of the demo: the KPIs Nordvik Outdoor tracks, from effort to effect."""

from __future__ import annotations

import random
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from kit.dates import add_months
from kit.demo_language import english, say
from services.metrics.activity import service as activity
from services.metrics.activity.models import ActivityMeasure
from services.metrics.cycles import demo as demo_cycles
from services.metrics.effects import demo as effects_demo
from services.metrics.feedback import demo as feedback_demo
from services.metrics.kpis import periods, service, targets
from services.metrics.kpis.models import Aggregation, Category, Direction, Kpi, KpiCreate, KpiTargetIn, Source, Unit
from services.metrics.observations.models import Observation

INGRID, MIKKO, SARA = "ingrid.solberg@example.com", "mikko.virtanen@example.com", "sara.lindqvist@example.com"
H, L, B = Direction.higher_is_better, Direction.lower_is_better, Direction.target_band

# name, description, unit, currency, direction, aggregation, category, owner, baseline value
KPIS = [
    (
        "Visits",
        "Sessions on nordvikoutdoor.no and the web shop.",
        Unit.number,
        None,
        H,
        Aggregation.sum,
        Category.result,
        INGRID,
        48_000.0,
    ),
    (
        "Conversion rate",
        "Share of web shop sessions that end in an order.",
        Unit.percent,
        None,
        H,
        Aggregation.mean,
        Category.result,
        MIKKO,
        1.8,
    ),
    (
        "Online revenue",
        "Web shop revenue, excluding VAT and returns.",
        Unit.currency,
        "NOK",
        H,
        Aggregation.sum,
        Category.result,
        MIKKO,
        2_350_000.0,
    ),
    (
        "Marketing cost",
        "Paid media, agencies and tools; kept within the agreed budget.",
        Unit.currency,
        "NOK",
        B,
        Aggregation.sum,
        Category.input,
        INGRID,
        310_000.0,
    ),
    (
        "Hours spent on content",
        "Hours the team logs on writing, photos and video.",
        Unit.duration,
        None,
        B,
        Aggregation.sum,
        Category.input,
        SARA,
        140.0,
    ),
    (
        "Articles published",
        "Guides, gear tests and trip reports published.",
        Unit.number,
        None,
        H,
        Aggregation.sum,
        Category.activity,
        SARA,
        12.0,
    ),
    (
        "Campaigns run",
        "Newsletter, social and paid campaigns launched.",
        Unit.number,
        None,
        H,
        Aggregation.sum,
        Category.activity,
        SARA,
        6.0,
    ),
    (
        "Net Promoter Score",
        "From the post-purchase survey, -100 to 100.",
        Unit.number,
        None,
        H,
        Aggregation.last,
        Category.result,
        INGRID,
        41.0,
    ),
    (
        "Complaints",
        "Customer complaints received across all channels.",
        Unit.number,
        None,
        L,
        Aggregation.sum,
        Category.result,
        MIKKO,
        37.0,
    ),
    (
        "Time to answer complaints",
        "Hours from a complaint arriving to the first answer.",
        Unit.duration,
        None,
        L,
        Aggregation.mean,
        Category.result,
        MIKKO,
        26.0,
    ),
]


# Where each KPI is measured (a surface of the goals demo by name); the rest are workspace-wide.
SURFACE_OF = {
    "Visits": "nordvikoutdoor.no",
    "Articles published": "nordvikoutdoor.no",
    "Hours spent on content": "nordvikoutdoor.no",
    "Conversion rate": "Nettbutikk",
    "Online revenue": "Nettbutikk",
    "Campaigns run": "Turbrevet newsletter",
    "Complaints": "Facebook",
    "Time to answer complaints": "Facebook",
}
DAILY = {"Visits", "Online revenue"}  # pushed every night by the analytics export; the rest typed in monthly
# The recent level of each KPI against its baseline, so the demo shows every status: a factor on the baseline.
# Targets are 10 % beyond the baseline: ~1.18 is on track, ~1.07 at risk, ~1.0 off track (band: 0.9 to 1.05).
RECENT = {
    "Visits": 1.2,
    "Conversion rate": 1.07,
    "Online revenue": 1.19,
    "Marketing cost": 0.97,
    "Hours spent on content": 1.09,
    "Articles published": 1.25,
    "Campaigns run": 1.22,
    "Net Promoter Score": 1.07,
    "Complaints": 0.85,
    "Time to answer complaints": 0.97,
}
SEASON = [0.95, 0.96, 0.99, 1.02, 1.05, 1.07, 1.04, 1.0, 1.01, 0.99, 0.97, 1.03]  # outdoor gear: spring and summer
YEARS = 2
CYCLE_SURFACE = "Nettbutikk"  # monthly, from New Year (the goals demo): its last four months have cycles
DEMO_ZONE = "Europe/Oslo"  # the demo workspace's time zone: its "today"


def seed(
    session: Session, *, workspace_id: int, people: dict[str, int], today: date | None = None, refs: dict | None = None
) -> bool:
    """Add the demo KPIs, two years of targets and observations unless the workspace has KPIs; True if added.

    `refs` carries ids between the services' demo seeds: surfaces by name in, KPIs by name out."""
    refs = refs if refs is not None else {}
    existing = session.exec(select(Kpi.name, Kpi.id).where(Kpi.workspace_id == workspace_id)).all()
    ours = {row[0] for row in KPIS}  # the built-in feedback KPIs the feedback demo adds are not handed on
    existing = [(name, kpi_id) for name, kpi_id in existing if english(name) in ours] or existing
    today = today or datetime.now(ZoneInfo(DEMO_ZONE)).date()
    if existing:
        refs["kpis"] = {english(name): kpi_id for name, kpi_id in existing}
        effects_demo.hand_over(session, workspace_id=workspace_id, refs=refs, today=today)
        feedback_demo.seed(session, workspace_id=workspace_id, people=people, today=today, refs=refs)
        return False
    surfaces = refs.get("surfaces", {})
    baseline_date = date(today.year - 1, 12, 31)
    rnd = random.Random(2026)
    refs["kpis"] = {}
    for name, description, unit, currency, direction, aggregation, category, owner, baseline in KPIS:
        kpi = service.create_kpi(
            session=session,
            workspace_id=workspace_id,
            data=KpiCreate(
                name=say(name),
                description=say(description),
                unit=unit,
                currency_code=currency,
                direction=direction,
                aggregation=aggregation,
                category=category,
                owner_id=people.get(owner),
                surface_id=surfaces.get(SURFACE_OF.get(name)),
                baseline_value=baseline,
                baseline_date=baseline_date,
                expected_frequency="month",
                amber_threshold=0.85,
                red_threshold=0.5,
            ),
        )
        refs["kpis"][name] = kpi.id
        items = [
            t
            for year in range(today.year - YEARS + 1, today.year + 1)
            for t in monthly_targets(year, direction, baseline)
        ]
        targets.replace_targets(session=session, workspace_id=workspace_id, kpi_id=kpi.id, items=items)
        session.add_all(history(kpi, workspace_id, baseline, today, rnd))
    session.flush()
    effects_demo.shape(session, kpis=refs["kpis"], today=today)
    if CYCLE_SURFACE in surfaces:
        demo_cycles.seed(
            session, workspace_id=workspace_id, surface_id=surfaces[CYCLE_SURFACE], people=people, today=today
        )
    effects_demo.hand_over(session, workspace_id=workspace_id, refs=refs, today=today)
    feedback_demo.seed(session, workspace_id=workspace_id, people=people, today=today, refs=refs)
    _fed_by_activity(session, workspace_id, refs)
    return True


# The KPIs Effekt's own work feeds (the tasks demo hands over the blog template and the months it has figures for).
ACTIVITY = {"Articles published": ActivityMeasure.runs_finished, "Hours spent on content": ActivityMeasure.hours_logged}


def _fed_by_activity(session: Session, workspace_id: int, refs: dict) -> None:
    """Typed in by hand until the blog ran in Effekt: from then on the tasks service's figures feed them (they
    arrive on the metrics queue once the workers run), so the hand-typed months from then on go."""
    handed = refs.get("activity") or {}
    if not handed.get("template_id"):
        return
    first = min((date.fromisoformat(m) for m in handed.get("months") or []), default=None)
    for name, measure in ACTIVITY.items():
        kpi_id = refs["kpis"].get(name)
        if kpi_id is None:
            continue
        if first is not None:
            old = session.exec(
                select(Observation).where(Observation.kpi_id == kpi_id, Observation.period_start >= first)
            ).all()
            for row in old:
                session.delete(row)
            session.flush()
        activity.link(
            session=session,
            workspace_id=workspace_id,
            kpi_id=kpi_id,
            measure=measure,
            template_id=handed["template_id"],
        )


def _seasonal(kpi: Kpi) -> bool:
    return kpi.aggregation == Aggregation.sum and kpi.category != Category.input


def monthly_targets(year: int, direction: Direction, baseline: float) -> list[KpiTargetIn]:
    """A target for each month of the year: 10 % better than the baseline, or a band around it."""
    items = []
    for month in range(1, 13):
        start, end = periods.period_bounds("month", date(year, month, 1))
        base = baseline
        if direction == Direction.target_band:
            items.append(
                KpiTargetIn(
                    period_start=start,
                    period_end=end,
                    target=round(base, 2),
                    band_low=round(base * 0.9, 2),
                    band_high=round(base * 1.05, 2),
                )
            )
        else:
            factor = 0.9 if direction == Direction.lower_is_better else 1.1
            items.append(KpiTargetIn(period_start=start, period_end=end, target=round(base * factor, 2)))
    return items


def _level(kpi: Kpi, baseline: float, month: date, today: date) -> float:
    """The KPI's typical monthly value: from about the baseline two years ago to its RECENT level now."""
    first = date(today.year - YEARS, today.month, 1)
    span = (today.year - first.year) * 12 + today.month - first.month
    done = ((month.year - first.year) * 12 + month.month - first.month) / span
    recent = RECENT[english(kpi.name)]
    start = 2 - recent  # as far below (or above) the baseline then as it is beyond it now
    level = baseline * (start + (recent - start) * done)
    return level * (SEASON[month.month - 1] if _seasonal(kpi) else 1.0)


def history(kpi: Kpi, workspace_id: int, baseline: float, today: date, rnd: random.Random) -> list[Observation]:
    """Two years of observations up to yesterday: daily for DAILY KPIs, else monthly (this month so far)."""
    rows = []
    month = date(today.year - YEARS, today.month, 1)
    while month <= today:
        level = _level(kpi, baseline, month, today)
        days = periods.period_bounds("month", month)[1].day
        if english(kpi.name) in DAILY:
            for day in range(1, days + 1):
                when = month.replace(day=day)
                if when >= today:
                    break
                weekend = 0.8 if when.weekday() >= 5 else 1.06
                value = level / days * weekend * rnd.uniform(0.85, 1.15)
                rows.append(_observation(kpi, workspace_id, "day", when, value, "api"))
        else:
            share = min(1.0, (today - month).days / days) if kpi.aggregation == Aggregation.sum else 1.0
            if share > 0:
                value = level * share * rnd.uniform(0.97, 1.03)
                rows.append(_observation(kpi, workspace_id, "month", month, value, "manual"))
        month = add_months(month, 1)
    return rows


def _observation(kpi: Kpi, workspace_id: int, period: str, start: date, value: float, source: str) -> Observation:
    digits = 0 if kpi.unit in (Unit.number, Unit.currency) and kpi.aggregation == Aggregation.sum else 2
    if english(kpi.name) == "Net Promoter Score":
        digits = 0
    return Observation(
        kpi_id=kpi.id,
        workspace_id=workspace_id,
        period=period,
        period_start=start,
        value=round(value, digits),
        source=Source(source),
    )
