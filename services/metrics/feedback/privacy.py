"""Privacy of feedback: the customer's personal data erased on request or after the workspace's retention period;
the item and its statistics stay."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from kit.fields import utcnow
from services.metrics.feedback.hours import aware
from services.metrics.feedback.models import FeedbackItem
from services.metrics.feedback.service import _log, get_item, settings

ERASED = "(erased on request)"
PERSONAL = ("customer_name", "customer_contact", "link")


def erase(*, session: Session, workspace_id: int, user_id: int | None, item_id: int) -> FeedbackItem:
    """Erase the customer's personal data (name, contact, link, the text and answer); statistics stay."""
    item = get_item(session=session, workspace_id=workspace_id, item_id=item_id)
    _erase(item)
    _log(session, item, user_id, "erased")
    session.add(item)
    session.flush()
    return item


def _erase(item: FeedbackItem) -> None:
    for name in PERSONAL:
        setattr(item, name, None)
    item.text = ERASED
    item.first_answer = ERASED if item.first_answer else None
    item.erased_at = item.updated_at = utcnow()


def apply_retention(*, session: Session, workspace_id: int, now: datetime | None = None) -> int:
    """Erase personal data of items older than the workspace's retention setting; how many were erased."""
    months = settings(session=session, workspace_id=workspace_id).retention_months
    if months is None:
        return 0
    now = aware(now or utcnow())
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    cutoff = now.replace(year=year, month=month + 1, day=1)
    rows = session.exec(
        select(FeedbackItem).where(
            FeedbackItem.workspace_id == workspace_id,
            col(FeedbackItem.erased_at).is_(None),
            col(FeedbackItem.received_at) < cutoff,
        )
    ).all()
    for item in rows:
        _erase(item)
        _log(session, item, None, "erased", f"retention {months} months")
        session.add(item)
    session.flush()
    return len(rows)
