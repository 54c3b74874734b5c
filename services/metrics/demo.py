"""The metrics service's part of the demo: the KPIs Nordvik Outdoor tracks, from effort to effect."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from services.metrics import service, targets
from services.metrics.models import Aggregation, Category, Direction, Kpi, KpiCreate, KpiTargetIn, Unit

INGRID, MIKKO, SARA = "ingrid.solberg@example.com", "mikko.virtanen@example.com", "sara.lindqvist@example.com"
H, L, B = Direction.higher_is_better, Direction.lower_is_better, Direction.target_band

# name, description, unit, currency, direction, aggregation, category, owner, baseline value
KPIS = [
    ("Visits", "Sessions on nordvikoutdoor.no and the web shop.",
     Unit.number, None, H, Aggregation.sum, Category.result, INGRID, 48_000.0),
    ("Conversion rate", "Share of web shop sessions that end in an order.",
     Unit.percent, None, H, Aggregation.mean, Category.result, MIKKO, 1.8),
    ("Online revenue", "Web shop revenue, excluding VAT and returns.",
     Unit.currency, "NOK", H, Aggregation.sum, Category.result, MIKKO, 2_350_000.0),
    ("Marketing cost", "Paid media, agencies and tools; kept within the agreed budget.",
     Unit.currency, "NOK", B, Aggregation.sum, Category.input, INGRID, 310_000.0),
    ("Hours spent on content", "Hours the team logs on writing, photos and video.",
     Unit.duration, None, B, Aggregation.sum, Category.input, SARA, 140.0),
    ("Articles published", "Guides, gear tests and trip reports published.",
     Unit.number, None, H, Aggregation.sum, Category.activity, SARA, 12.0),
    ("Campaigns run", "Newsletter, social and paid campaigns launched.",
     Unit.number, None, H, Aggregation.sum, Category.activity, SARA, 6.0),
    ("Net Promoter Score", "From the post-purchase survey, -100 to 100.",
     Unit.number, None, H, Aggregation.last, Category.result, INGRID, 41.0),
    ("Complaints", "Customer complaints received across all channels.",
     Unit.number, None, L, Aggregation.sum, Category.result, MIKKO, 37.0),
    ("Time to answer complaints", "Hours from a complaint arriving to the first answer.",
     Unit.duration, None, L, Aggregation.mean, Category.result, MIKKO, 26.0),
]


def seed(session: Session, *, workspace_id: int, people: dict[str, int], today: date | None = None) -> bool:
    """Add the demo KPIs unless the workspace has KPIs already; True if it added them."""
    if session.exec(select(func.count()).select_from(Kpi).where(Kpi.workspace_id == workspace_id)).one():
        return False
    today = today or date.today()
    baseline_date = date(today.year - 1, 12, 31)
    for name, description, unit, currency, direction, aggregation, category, owner, baseline in KPIS:
        kpi = service.create_kpi(session=session, workspace_id=workspace_id, data=KpiCreate(
            name=name, description=description, unit=unit, currency_code=currency, direction=direction,
            aggregation=aggregation, category=category, owner_id=people.get(owner),
            baseline_value=baseline, baseline_date=baseline_date, expected_frequency="month",
            amber_threshold=0.85, red_threshold=0.5))
        targets.replace_targets(session=session, workspace_id=workspace_id, kpi_id=kpi.id,
                                items=monthly_targets(today.year, direction, baseline))
    return True


def monthly_targets(year: int, direction: Direction, baseline: float) -> list[KpiTargetIn]:
    """A target for each month of the year: 10 % better than the baseline, or a band around it."""
    items = []
    for month in range(1, 13):
        start, end = targets.period_bounds("month", date(year, month, 1))
        if direction == Direction.target_band:
            items.append(KpiTargetIn(period_start=start, period_end=end, target=baseline,
                                     band_low=round(baseline * 0.9, 2), band_high=round(baseline * 1.05, 2)))
        else:
            factor = 0.9 if direction == Direction.lower_is_better else 1.1
            items.append(KpiTargetIn(period_start=start, period_end=end, target=round(baseline * factor, 2)))
    return items
