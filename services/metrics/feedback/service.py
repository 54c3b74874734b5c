"""Rules of feedback items: intake, handling states and their times, targets, taxonomy, history, erasure."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, or_, select

from kit.errors import Conflict, Invalid, NotFound
from kit.fields import utcnow
from kit.query import get_scoped, order_by, select_page
from services.metrics.feedback import feed
from services.metrics.feedback.hours import aware, due_at, month_of
from services.metrics.feedback.models import (
    BUILT_IN_CATEGORIES,
    TRANSITIONS,
    Channel,
    FeedbackCategory,
    FeedbackCreate,
    FeedbackEvent,
    FeedbackItem,
    FeedbackKind,
    FeedbackPublic,
    FeedbackSettings,
    FeedbackState,
    FeedbackTarget,
    FeedbackUpdate,
    Sentiment,
    TargetIn,
)

SORTS = {"received_at", "due_at", "state", "updated_at"}


def past_target(item: FeedbackItem, now: datetime | None = None) -> bool:
    """Unanswered past its due time, or first answered after it."""
    if item.due_at is None:
        return False
    if item.first_answered_at is not None:
        return item.within_target is False
    return aware(now or utcnow()) > aware(item.due_at)


def to_public(item: FeedbackItem, now: datetime | None = None) -> FeedbackPublic:
    """The public view of an item, with its past-target flag."""
    return FeedbackPublic.model_validate(item, update={"past_target": past_target(item, now)})


def _log(session: Session, item: FeedbackItem, user_id: int | None, action: str, detail: str | None = None) -> None:
    session.add(
        FeedbackEvent(
            item_id=item.id, workspace_id=item.workspace_id, user_id=user_id or None, action=action, detail=detail
        )
    )


# --- taxonomy, targets, settings -------------------------------------------------------------------


def categories(*, session: Session, workspace_id: int) -> list[FeedbackCategory]:
    """The workspace's categories, the built-in ones made on first use."""
    rows = session.exec(
        select(FeedbackCategory).where(FeedbackCategory.workspace_id == workspace_id).order_by(col(FeedbackCategory.id))
    ).all()
    if rows:
        return list(rows)
    made = [FeedbackCategory(workspace_id=workspace_id, key=k, name=n) for k, n in BUILT_IN_CATEGORIES.items()]
    session.add_all(made)
    session.flush()
    return made


def _name_free(session: Session, workspace_id: int, name: str, category_id: int | None = None) -> None:
    taken = session.exec(
        select(FeedbackCategory.id).where(
            FeedbackCategory.workspace_id == workspace_id, func.lower(FeedbackCategory.name) == name.lower()
        )
    ).first()
    if taken is not None and taken != category_id:
        raise Conflict(f"A category named {name!r} exists already.")


def create_category(*, session: Session, workspace_id: int, name: str) -> FeedbackCategory:
    """Add a category to the taxonomy; names are unique in the workspace."""
    categories(session=session, workspace_id=workspace_id)
    _name_free(session, workspace_id, name)
    row = FeedbackCategory(workspace_id=workspace_id, name=name)
    session.add(row)
    session.flush()
    return row


def update_category(
    *, session: Session, workspace_id: int, category_id: int, name: str | None, archived: bool | None
) -> FeedbackCategory:
    """Rename or archive a category (items keep it)."""
    row = get_scoped(session, FeedbackCategory, workspace_id, category_id, "category")
    if name is not None:
        _name_free(session, workspace_id, name, category_id)
        row.name = name
    if archived is not None:
        row.archived = archived
    session.add(row)
    session.flush()
    return row


def _check_category(session: Session, workspace_id: int, category_id: int | None, field: str = "category_id") -> None:
    if category_id is None:
        return
    row = session.get(FeedbackCategory, category_id)
    if row is None or row.workspace_id != workspace_id:
        raise Invalid.field(field, f"no category {category_id} in this workspace")


def targets(*, session: Session, workspace_id: int) -> list[FeedbackTarget]:
    """The workspace's answer-time targets, by channel."""
    return list(session.exec(select(FeedbackTarget).where(FeedbackTarget.workspace_id == workspace_id)).all())


def set_target(*, session: Session, workspace_id: int, channel: Channel, data: TargetIn) -> FeedbackTarget:
    """Set a channel's target; items received later are due by it."""
    row = session.exec(
        select(FeedbackTarget).where(FeedbackTarget.workspace_id == workspace_id, FeedbackTarget.channel == channel)
    ).first() or FeedbackTarget(workspace_id=workspace_id, channel=channel, hours=data.hours)
    row.hours, row.working_hours = data.hours, data.working_hours
    session.add(row)
    session.flush()
    return row


def delete_target(*, session: Session, workspace_id: int, channel: Channel) -> None:
    """Remove a channel's target."""
    for row in targets(session=session, workspace_id=workspace_id):
        if row.channel == channel:
            session.delete(row)
            session.flush()
            return
    raise NotFound(f"No target for {channel.value} in this workspace.")


def settings(*, session: Session, workspace_id: int) -> FeedbackSettings:
    """The workspace's feedback settings (multiplier 20, no retention limit, until changed)."""
    return session.get(FeedbackSettings, workspace_id) or FeedbackSettings(workspace_id=workspace_id)


def update_settings(
    *, session: Session, workspace_id: int, multiplier: float | None, retention_months: int | None, sent: set[str]
) -> FeedbackSettings:
    """Change the multiplier (re-computing the estimate) or the retention (null: keep personal data)."""
    row = settings(session=session, workspace_id=workspace_id)
    if "multiplier" in sent and multiplier is not None:
        row.multiplier = multiplier
    if "retention_months" in sent:
        row.retention_months = retention_months
    session.add(row)
    session.flush()
    if "multiplier" in sent:
        feed.refresh(session=session, workspace_id=workspace_id, months=None)
    return row


# --- items -----------------------------------------------------------------------------------------


def _due(session: Session, workspace_id: int, channel: Channel, received: datetime, tz: str) -> datetime | None:
    target = next((t for t in targets(session=session, workspace_id=workspace_id) if t.channel == channel), None)
    if target is None:
        return None
    return due_at(received, target.hours, working_hours=target.working_hours, tz=tz)


def create_item(
    *, session: Session, workspace_id: int, user_id: int | None, data: FeedbackCreate, tz: str = "UTC"
) -> FeedbackItem:
    """File an item as new; it is due by its channel's target and counts in its month's KPIs at once."""
    _check_category(session, workspace_id, data.category_id)
    received = aware(data.received_at or utcnow())
    item = FeedbackItem.model_validate(
        data,
        update={
            "workspace_id": workspace_id,
            "received_at": received,
            "received_month": month_of(received, tz),
            "due_at": _due(session, workspace_id, data.channel, received, tz),
        },
    )
    session.add(item)
    session.flush()
    _log(session, item, user_id, "created", item.channel.value)
    feed.refresh(session=session, workspace_id=workspace_id, months={item.received_month})
    return item


def create_items(
    *, session: Session, workspace_id: int, user_id: int | None, rows: list[dict], tz: str = "UTC", how: str = "import"
) -> int:
    """File many items as new at once (an import): each row holds FeedbackBase's fields and an aware received_at;
    categories are the workspace's (the caller checked them). Targets are read once, the KPIs refreshed once."""
    due = {t.channel: t for t in targets(session=session, workspace_id=workspace_id)}
    items = []
    for row in rows:
        received = aware(row["received_at"])
        target = due.get(row["channel"])
        items.append(
            FeedbackItem(
                **row,
                workspace_id=workspace_id,
                received_month=month_of(received, tz),
                due_at=due_at(received, target.hours, working_hours=target.working_hours, tz=tz) if target else None,
            )
        )
    for start in range(0, len(items), 1000):
        part = items[start : start + 1000]
        session.add_all(part)
        session.flush()
        for item in part:
            _log(session, item, user_id, "created", f"{item.channel.value} ({how})")
        session.flush()
    if items:
        feed.refresh(session=session, workspace_id=workspace_id, months={i.received_month for i in items})
    return len(items)


def get_item(*, session: Session, workspace_id: int, item_id: int) -> FeedbackItem:
    """One item of the workspace; NotFound otherwise."""
    return get_scoped(session, FeedbackItem, workspace_id, item_id, "feedback item")


def update_item(
    *, session: Session, workspace_id: int, user_id: int | None, item_id: int, data: FeedbackUpdate, tz: str = "UTC"
) -> FeedbackItem:
    """Change the fields sent; the history names owner, category and channel changes."""
    item = get_item(session=session, workspace_id=workspace_id, item_id=item_id)
    changes = data.model_dump(exclude_unset=True)
    for required in ("channel", "kind", "sentiment", "text"):
        if required in changes and changes[required] is None:
            raise Invalid.field(required, f"{required} cannot be null")
    _check_category(session, workspace_id, changes.get("category_id"))
    for name in ("owner_id", "category_id", "channel", "kind", "sentiment"):
        if name in changes and changes[name] != getattr(item, name):
            _log(session, item, user_id, name.removesuffix("_id"), str(changes[name]))
    if "notes" in changes and changes["notes"] != item.notes:
        _log(session, item, user_id, "noted")
    for name, value in changes.items():
        setattr(item, name, value)
    if "channel" in changes:
        item.due_at = _due(session, workspace_id, item.channel, item.received_at, tz)
        item.within_target = _within(item)
    return _save(session, item)


def _within(item: FeedbackItem) -> bool | None:
    if item.first_answered_at is None or item.due_at is None:
        return None
    return aware(item.first_answered_at) <= aware(item.due_at)


def _hours(item: FeedbackItem, moment: datetime) -> float:
    return round((aware(moment) - aware(item.received_at)).total_seconds() / 3600, 4)


def _save(session: Session, item: FeedbackItem) -> FeedbackItem:
    item.updated_at = utcnow()
    session.add(item)
    session.flush()
    feed.refresh(session=session, workspace_id=item.workspace_id, months={item.received_month})
    return item


def transition(
    *,
    session: Session,
    workspace_id: int,
    user_id: int | None,
    item_id: int,
    state: FeedbackState,
    now: datetime | None = None,
) -> FeedbackItem:
    """Move an item along new → in progress → answered → resolved (or escalated); resolving records its time."""
    item = get_item(session=session, workspace_id=workspace_id, item_id=item_id)
    if state == item.state:
        return item
    if state not in TRANSITIONS[item.state]:
        raise Conflict(f"A {item.state.value} item cannot become {state.value}.")
    if state == FeedbackState.answered and item.first_answered_at is None:
        raise Invalid.field("state", "answer the item to mark it answered")
    now = now or utcnow()
    if state == FeedbackState.resolved:
        item.resolved_at, item.resolution_hours = now, _hours(item, now)
    elif item.state == FeedbackState.resolved:
        item.resolved_at = item.resolution_hours = None  # reopened
    _log(session, item, user_id, "state", f"{item.state.value} → {state.value}")
    item.state = state
    return _save(session, item)


def answer(
    *, session: Session, workspace_id: int, user_id: int | None, item_id: int, text: str, now: datetime | None = None
) -> FeedbackItem:
    """Record an answer; the first one fixes the first-answer time and whether it met the target."""
    item = get_item(session=session, workspace_id=workspace_id, item_id=item_id)
    if item.state == FeedbackState.resolved:
        raise Conflict("A resolved item is closed; reopen it first.")
    now = now or utcnow()
    if item.first_answered_at is None:
        item.first_answer, item.first_answered_at, item.first_answer_hours = text, now, _hours(item, now)
        item.within_target = _within(item)
    _log(session, item, user_id, "answered", text[:2000])
    item.state = FeedbackState.answered
    return _save(session, item)


def bulk(
    *,
    session: Session,
    workspace_id: int,
    user_id: int | None,
    ids: list[int],
    owner_id: int | None,
    category_id: int | None,
    sent: set[str],
) -> int:
    """Assign and/or categorise several items at once; every id must be the workspace's."""
    _check_category(session, workspace_id, category_id)
    items = session.exec(
        select(FeedbackItem).where(FeedbackItem.workspace_id == workspace_id, col(FeedbackItem.id).in_(set(ids)))
    ).all()
    missing = set(ids) - {i.id for i in items}
    if missing:
        raise Invalid.field("ids", f"no feedback items {sorted(missing)} in this workspace")
    data = FeedbackUpdate.model_validate(
        {k: v for k, v in (("owner_id", owner_id), ("category_id", category_id)) if k in sent}
    )
    for item in items:
        update_item(session=session, workspace_id=workspace_id, user_id=user_id, item_id=item.id, data=data)
    return len(items)


def list_items(
    *,
    session: Session,
    workspace_id: int,
    filters: dict,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> tuple[list[FeedbackItem], int]:
    """One page of the inbox, newest first, with the filters given (state, channel, category ... past target)."""
    where = [FeedbackItem.workspace_id == workspace_id]
    for name in ("state", "channel", "category_id", "kind", "sentiment", "surface_id", "owner_id"):
        if filters.get(name) is not None:
            where.append(getattr(FeedbackItem, name) == filters[name])
    if filters.get("ids"):
        where.append(col(FeedbackItem.id).in_(filters["ids"]))
    if filters.get("past_target"):
        late = (col(FeedbackItem.first_answered_at).is_(None)) & (col(FeedbackItem.due_at) < (now or utcnow()))
        where.append(or_(late, col(FeedbackItem.within_target).is_(False)))
    if filters.get("q"):
        where.append(col(FeedbackItem.text).contains(filters["q"]))
    order = order_by(FeedbackItem, sort, SORTS, [col(FeedbackItem.received_at).desc(), col(FeedbackItem.id).desc()])
    return select_page(session, FeedbackItem, where, order, limit=limit, offset=offset)


def history(*, session: Session, workspace_id: int, item_id: int) -> list[FeedbackEvent]:
    """The steps of an item's handling, oldest first."""
    item = get_item(session=session, workspace_id=workspace_id, item_id=item_id)
    query = select(FeedbackEvent).where(FeedbackEvent.item_id == item.id).order_by(col(FeedbackEvent.id))
    return list(session.exec(query).all())


PUBLIC_DEFAULTS = {"kind": FeedbackKind.complaint, "sentiment": Sentiment.negative}
