"""The feedback part of the demo: about 300 items over two years across channels and categories, most handled,
a few open past their target; the built-in dissatisfaction KPIs; and delivery complaints that rise, until the
action made from them (the tasks demo marks it done on the date handed over) brings them down."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from kit.dates import add_months
from kit.demo_language import say
from services.metrics.feedback import builtin, service
from services.metrics.feedback.hours import due_at, month_of
from services.metrics.feedback.models import (
    Channel,
    FeedbackEvent,
    FeedbackItem,
    FeedbackKind,
    FeedbackKpi,
    FeedbackState,
    Measure,
    Sentiment,
    TargetIn,
)
from services.metrics.kpis.models import Kpi, Source
from services.metrics.observations.models import Observation

ZONE = "Europe/Oslo"
STORY = "delivery"  # the category whose complaints the action reduces
DONE_DAY = 8  # of the month four months back (effects' done month): its three months after are over
TARGETS = {  # channel: (hours, working hours only)
    Channel.facebook: (4, False),
    Channel.instagram: (8, False),
    Channel.email: (16, True),
    Channel.web_form: (16, True),
    Channel.review_site: (48, False),
    Channel.phone: (2, True),
    Channel.chat: (1, True),
}
CHANNELS = (
    [Channel.facebook] * 7
    + [Channel.email] * 5
    + [Channel.web_form] * 3
    + [Channel.instagram] * 2
    + [
        Channel.review_site,
        Channel.review_site,
        Channel.phone,
        Channel.chat,
        Channel.in_person,
    ]
)
KINDS = (
    [FeedbackKind.complaint] * 11
    + [FeedbackKind.question] * 4
    + [FeedbackKind.praise] * 3
    + [FeedbackKind.suggestion] * 2
)
CATEGORY_WEIGHTS = {"product": 4, "staff_service": 3, "overselling": 2, "internal_communication": 1, "price": 2}
TEXTS = {
    "product": ["The tent pole snapped on the second trip.", "The jacket's zip jams.", "Boots leak at the seam."],
    "staff_service": ["Nobody answered the phone all morning.", "The shop assistant was curt.", "Great help in store!"],
    "overselling": ["The sleeping bag is not as warm as promised.", "Rated for -10, cold at 0."],
    "internal_communication": ["Support and the shop told me different return rules."],
    "delivery": ["The parcel is a week late and nobody tells me where it is.", "Where is my order?"],
    "price": ["Cheaper at the competitor.", "Shipping costs more than the socks."],
    "website_app": ["The checkout page froze.", "Cannot find the size guide on mobile."],
}
PER_MONTH = 11
LATE_OPEN = 3  # items still open past their target now


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59)), UTC)


def _delivery_complaints(month: date, done: date) -> int:
    """Delivery complaints a month: a few, rising before the action, far fewer in the three months after it."""
    months_to_done = (done.year - month.year) * 12 + done.month - month.month
    if 0 < months_to_done <= 3:
        return 5  # the problem grows: this is what the action is made from
    if -3 <= months_to_done <= 0:
        return 4 if months_to_done == 0 else 1  # the month it is done in, then the effect
    return 2


def seed(session: Session, *, workspace_id: int, people: dict[str, int], today: date, refs: dict) -> bool:
    """File the demo's feedback unless the workspace has some; True if it did. Hands the story to the tasks demo."""
    if session.exec(select(FeedbackItem.id).where(FeedbackItem.workspace_id == workspace_id)).first():
        return False
    rng = random.Random(2003)
    cats = {c.key: c.id for c in service.categories(session=session, workspace_id=workspace_id)}
    for channel, (hours, working) in TARGETS.items():
        service.set_target(
            session=session,
            workspace_id=workspace_id,
            channel=channel,
            data=TargetIn(hours=hours, working_hours=working),
        )
    owners = sorted(people.values()) or [None]
    done = add_months(today.replace(day=1), -4).replace(day=DONE_DAY)
    start = add_months(today.replace(day=1), -23)
    items: list[FeedbackItem] = []
    story: list[FeedbackItem] = []
    month = start
    while month <= today:
        last = min(add_months(month, 1) - timedelta(days=1), today - timedelta(days=1))
        days = max(1, (last - month).days + 1)
        plan = [(rng.choice(KINDS), None) for _ in range(PER_MONTH)]
        plan += [(FeedbackKind.complaint, STORY)] * _delivery_complaints(month, done)
        for kind, key in plan:
            if key is None:
                key = rng.choice([k for k, w in CATEGORY_WEIGHTS.items() for _ in range(w)] + ["website_app"])
            day = month + timedelta(days=rng.randrange(days))
            if key == STORY and month.replace(day=1) == done.replace(day=1):
                day = month + timedelta(days=rng.randrange(DONE_DAY - 1))  # before the action that month
            item = _item(workspace_id, kind, key, cats, day, rng, owners, today)
            items.append(item)
            if key == STORY and 0 <= (done - day).days <= 75:
                story.append(item)
        month = add_months(month, 1)
    _late(workspace_id, cats, today, rng, items)
    session.add_all(items)
    session.flush()
    for item in items:
        _history(session, item)
    session.flush()
    _take_over(session, workspace_id)
    made = builtin.create_builtin(session=session, workspace_id=workspace_id)
    refs["feedback_kpis"] = {kpi.name: kpi.id for _, kpi in made}
    refs["feedback_items"] = [i.id for i in story]
    category_kpi = next((kpi.id for spec, kpi in made if spec.category_id == cats[STORY]), None)
    if category_kpi is not None:
        refs.setdefault("effects", {})["fewer_complaints"] = {
            "kpi_id": category_kpi,
            "done_on": done.isoformat(),
            "feedback_item_ids": refs["feedback_items"][-5:],
        }
    return True


def _take_over(session: Session, workspace_id: int) -> None:
    """The demo's hand-typed "Complaints" KPI becomes the built-in total, fed by the items from now on (its goal
    links and targets stay), so the scorecard has one complaints KPI, not two."""
    kpi = session.exec(
        select(Kpi).where(Kpi.workspace_id == workspace_id, Kpi.name == say("Complaints"), col(Kpi.archived).is_(False))
    ).first()
    if kpi is None or session.get(FeedbackKpi, kpi.id) is not None:
        return
    session.execute(sa.delete(Observation).where(col(Observation.kpi_id) == kpi.id))
    kpi.source = Source("feedback")
    kpi.description = "Complaints received per month across all channels, from the feedback inbox."
    session.add(kpi)
    session.add(FeedbackKpi(kpi_id=kpi.id, workspace_id=workspace_id, measure=Measure.complaints))
    session.flush()


def _item(ws, kind, key, cats, day, rng, owners, today) -> FeedbackItem:
    channel = rng.choice(CHANNELS)
    received = _at(day, rng)
    hours, working = TARGETS.get(channel, (None, False))
    due = due_at(received, hours, working_hours=working, tz=ZONE) if hours else None
    sentiment = {
        FeedbackKind.complaint: Sentiment.negative,
        FeedbackKind.praise: Sentiment.positive,
    }.get(kind, rng.choice([Sentiment.neutral, Sentiment.neutral, Sentiment.negative]))
    item = FeedbackItem(
        workspace_id=ws,
        channel=channel,
        kind=kind,
        sentiment=sentiment,
        category_id=cats.get(key),
        text=rng.choice(TEXTS[key]),
        customer_name=rng.choice(["Kari N.", "Ola H.", "Anna S.", "Mikael K.", None]),
        received_at=received,
        received_month=month_of(received, ZONE),
        due_at=due,
        owner_id=rng.choice(owners),
        created_at=received,
        updated_at=received,
    )
    # most are answered, most within target; older ones resolved
    late = rng.random() < 0.18
    if due is not None:
        span = (due - received).total_seconds() / 3600
        took = span * (1.2 + rng.random() * 2) if late else span * (0.1 + rng.random() * 0.8)
    else:
        took = 2 + rng.random() * 30
    answered = received + timedelta(hours=took)
    if answered.date() >= today:
        item.state = FeedbackState.in_progress
        return item
    item.first_answer = "Thank you for telling us. We are looking into it."
    item.first_answered_at = answered
    item.first_answer_hours = round(took, 4)
    item.within_target = None if due is None else answered <= due
    item.state = FeedbackState.answered
    if (today - answered.date()).days > 7 and rng.random() < 0.9:
        resolved = answered + timedelta(hours=4 + rng.random() * 72)
        item.state, item.resolved_at = FeedbackState.resolved, resolved
        item.resolution_hours = round((resolved - received).total_seconds() / 3600, 4)
    return item


def _late(ws, cats, today, rng, items) -> None:
    """A few items left new past their target: the inbox's 'past target' filter finds them."""
    for n in range(LATE_OPEN):
        received = _at(today - timedelta(days=1 + n), rng)
        items.append(
            FeedbackItem(
                workspace_id=ws,
                channel=Channel.facebook,
                kind=FeedbackKind.complaint,
                sentiment=Sentiment.negative,
                category_id=cats.get("staff_service" if n else "product"),
                text=["My order arrived broken.", "Rude reply in the chat.", "Still waiting for my refund."][n],
                received_at=received,
                received_month=month_of(received, ZONE),
                due_at=received + timedelta(hours=TARGETS[Channel.facebook][0]),
                created_at=received,
                updated_at=received,
            )
        )


def _history(session: Session, item: FeedbackItem) -> None:
    """The handling steps as the item's history."""
    rows = [(item.received_at, "created", item.channel.value)]
    if item.first_answered_at is not None:
        rows.append((item.first_answered_at, "answered", item.first_answer))
    if item.resolved_at is not None:
        rows.append((item.resolved_at, "state", "answered → resolved"))
    for at, action, detail in rows:
        session.add(
            FeedbackEvent(
                item_id=item.id,
                workspace_id=item.workspace_id,
                at=at,
                user_id=item.owner_id,
                action=action,
                detail=detail,
            )
        )
