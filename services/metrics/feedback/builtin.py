"""The built-in dissatisfaction KPIs: made by one call, fed by the items (source "feedback")."""

from __future__ import annotations

from sqlmodel import Session, col, select

from kit.errors import Conflict
from services.metrics.feedback import feed
from services.metrics.feedback.models import (
    Channel,
    FeedbackCategory,
    FeedbackItem,
    FeedbackKpi,
    FeedbackTarget,
    Measure,
)
from services.metrics.feedback.service import categories
from services.metrics.kpis import service as kpis
from services.metrics.kpis.models import Aggregation, Category, Direction, Frequency, Kpi, KpiCreate, Unit

# How each channel reads after "Complaints": the preposition the channel takes ("Complaints by phone", not
# "Complaints via in person"). The keys stay the channel's; only new KPIs get these names.
CHANNEL_PHRASES = {
    "facebook": "via Facebook",
    "instagram": "via Instagram",
    "linkedin": "via LinkedIn",
    "x": "via X",
    "email": "by email",
    "web_form": "via the web form",
    "review_site": "on review sites",
    "phone": "by phone",
    "chat": "in chat",
    "in_person": "in person",
    "other": "via other channels",
}

# measure: (name, description, unit, direction, aggregation, category)
PLAIN = {
    Measure.complaints: (
        "Complaints",
        "Complaints received per month, from the feedback inbox.",
        Unit.number,
        Direction.lower_is_better,
        Aggregation.sum,
        Category.result,
    ),
    Measure.negative_share: (
        "Share of negative feedback",
        "Negative items as a share of all feedback.",
        Unit.percent,
        Direction.lower_is_better,
        Aggregation.mean,
        Category.result,
    ),
    Measure.median_first_answer: (
        "Median first-answer time",
        "Hours from received to the first answer (median).",
        Unit.duration,
        Direction.lower_is_better,
        Aggregation.mean,
        Category.activity,
    ),
    Measure.within_target: (
        "Answered within target",
        "Share of items answered within their channel's target.",
        Unit.percent,
        Direction.higher_is_better,
        Aggregation.mean,
        Category.activity,
    ),
    Measure.dissatisfied: (
        "Dissatisfied customers (estimate)",
        "Complaints × the workspace's multiplier: about one in twenty dissatisfied customers complains. An estimate.",
        Unit.number,
        Direction.lower_is_better,
        Aggregation.sum,
        Category.result,
    ),
}


def _wanted(session: Session, workspace_id: int) -> list[tuple[str, Measure, int | None, str | None]]:
    """(name, measure, category_id, channel) of every built-in KPI the workspace should have."""
    out = [(PLAIN[m][0], m, None, None) for m in PLAIN]
    cats = session.exec(
        select(FeedbackCategory).where(
            FeedbackCategory.workspace_id == workspace_id, col(FeedbackCategory.archived).is_(False)
        )
    ).all()
    out += [(f"Complaints: {c.name}", Measure.complaints, c.id, None) for c in cats]
    used = set(session.exec(select(FeedbackTarget.channel).where(FeedbackTarget.workspace_id == workspace_id)).all())
    used |= set(
        session.exec(select(FeedbackItem.channel).where(FeedbackItem.workspace_id == workspace_id).distinct()).all()
    )
    out += [
        (f"Complaints {CHANNEL_PHRASES[ch.value]}", Measure.complaints, None, ch.value) for ch in Channel if ch in used
    ]
    return out


def create_builtin(*, session: Session, workspace_id: int) -> list[tuple[FeedbackKpi, Kpi]]:
    """Make the built-in KPIs the workspace lacks and fill them from every month of items; all of them, in order."""
    categories(session=session, workspace_id=workspace_id)
    have = {
        (s.measure, s.category_id, s.channel): s
        for s in session.exec(select(FeedbackKpi).where(FeedbackKpi.workspace_id == workspace_id)).all()
    }
    out = []
    for name, measure, category_id, channel in _wanted(session, workspace_id):
        spec = have.get((measure, category_id, channel))
        if spec is None:
            kpi = _make_kpi(session, workspace_id, name, measure)
            spec = FeedbackKpi(
                kpi_id=kpi.id, workspace_id=workspace_id, measure=measure, category_id=category_id, channel=channel
            )
            session.add(spec)
            session.flush()
        kpi = session.get(Kpi, spec.kpi_id)
        out.append((spec, kpi))
    feed.refresh(session=session, workspace_id=workspace_id, months=None)
    return out


def _make_kpi(session: Session, workspace_id: int, name: str, measure: Measure) -> Kpi:
    _, description, unit, direction, aggregation, category = PLAIN[measure]
    if measure == Measure.complaints and name != PLAIN[measure][0]:
        description = f"{name}, per month, from the feedback inbox."
    data = KpiCreate(
        name=name,
        description=description,
        unit=unit,
        direction=direction,
        aggregation=aggregation,
        category=category,
        expected_frequency=Frequency.month,
        source="feedback",
    )
    try:
        return kpis.create_kpi(session=session, workspace_id=workspace_id, data=data)
    except Conflict:
        data.name = f"{name} (feedback)"
        return kpis.create_kpi(session=session, workspace_id=workspace_id, data=data)


def existing(*, session: Session, workspace_id: int) -> list[tuple[FeedbackKpi, Kpi]]:
    """The workspace's feedback KPIs that are not archived, with their KPI, in the order they were made."""
    query = (
        select(FeedbackKpi, Kpi)
        .join(Kpi, col(Kpi.id) == col(FeedbackKpi.kpi_id))
        .where(FeedbackKpi.workspace_id == workspace_id, col(Kpi.archived).is_(False))
        .order_by(col(FeedbackKpi.kpi_id))
    )
    return [(spec, kpi) for spec, kpi in session.exec(query).all()]
