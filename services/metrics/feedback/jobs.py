"""The daily arq job that erases personal data of feedback items older than each workspace's retention setting."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

from sqlmodel import Session, col, select

from kit.db import in_session
from services.metrics.db import create_engine_from_settings
from services.metrics.feedback import privacy
from services.metrics.feedback.models import FeedbackSettings

log = logging.getLogger("effekt.metrics.feedback")


@lru_cache
def _engine():
    return create_engine_from_settings()


def erase_expired(session: Session) -> int:
    """Apply every workspace's retention setting; how many items were erased in all."""
    spaces = session.exec(
        select(FeedbackSettings.workspace_id).where(col(FeedbackSettings.retention_months).is_not(None))
    ).all()
    return sum(privacy.apply_retention(session=session, workspace_id=ws) for ws in spaces)


async def feedback_retention(ctx: dict[str, Any]) -> int:
    """The cron job: erase personal data past the retention of each workspace (statistics stay)."""
    engine = ctx.get("metrics_engine") or _engine()
    erased = await asyncio.to_thread(in_session, engine, erase_expired)
    log.info("feedback retention erased personal data of %s items", erased)
    return erased
