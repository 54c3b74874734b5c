"""HTTP routes of calendar feeds: the caller's feed URLs (issue, rotate, revoke) and the public feed itself.

GET /feeds/<token>.ics answers without an identity (the gateway relays /calendar/<token>.ics to it): the token
is the credential, and it opens only its own person's deadlines or its own workspace's dates."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from kit.deps import OneHopRoute, SessionDep
from kit.errors import NotFound
from kit.fields import utcnow
from kit.identity import PrincipalDep
from services.tasks.calendars import ical, service
from services.tasks.calendars.asker import FeedAsker
from services.tasks.calendars.config import settings
from services.tasks.calendars.models import FeedCreated, FeedKind, FeedList

router = APIRouter(prefix="/api/v1/calendars", tags=["calendars"], route_class=OneHopRoute)
feeds = APIRouter(route_class=OneHopRoute, include_in_schema=False)
NOT_FOUND = {404: {"description": "No live feed of this kind"}}
GONE = "No such calendar feed (the address may have been revoked)."


def feed_url(token: str) -> str:
    return f"{settings().public_url.rstrip('/')}/calendar/{token}.ics"


@router.get("", response_model=FeedList, operation_id="listCalendarFeeds", summary="My calendar feeds")
def list_feeds(session: SessionDep, principal: PrincipalDep):
    """Which of my feed URLs are live, and when a calendar app last read them."""
    return FeedList(
        data=service.list_feeds(session=session, workspace_id=principal.workspace_id, user_id=principal.user_id)
    )


@router.post(
    "/{kind}", response_model=FeedCreated, status_code=status.HTTP_201_CREATED, operation_id="issueCalendarFeed",
    summary="A new feed URL (the old one stops working)",
    description="The URL carries a secret token and is shown in this answer only; only its hash is kept.",
)  # fmt: skip
def issue_feed(kind: FeedKind, session: SessionDep, principal: PrincipalDep, response: Response):
    """Make a feed URL for a calendar app to subscribe to; a live one of the same kind is revoked."""
    token, feed = service.issue(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, kind=kind, now=utcnow()
    )
    response.headers["Location"] = "/api/v1/calendars"
    return FeedCreated(kind=kind, active=True, created_at=feed.created_at, last_read_at=None, url=feed_url(token))


@router.delete(
    "/{kind}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND, operation_id="revokeCalendarFeed",
    summary="Revoke the feed URL",
)  # fmt: skip
def revoke_feed(kind: FeedKind, session: SessionDep, principal: PrincipalDep):
    """End the feed URL: calendar apps subscribed to it get nothing more."""
    if not service.revoke(
        session=session, workspace_id=principal.workspace_id, user_id=principal.user_id, kind=kind, now=utcnow()
    ):
        raise NotFound(f"You have no {kind.value} calendar feed.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@feeds.get("/feeds/{token}.ics")
def read_feed(token: str, request: Request, session: SessionDep):
    feed = service.feed_of(session, token)
    if feed is None:
        raise NotFound(GONE)
    asker = FeedAsker(getattr(request.app.state, "internal", None), request.app.state.signing_key, feed)
    if not asker.is_member():  # someone who left the workspace takes no feed of it along
        raise NotFound(GONE)
    cycles = asker.cycles() if feed.kind == FeedKind.workspace else []
    body = ical.render(session, feed, utcnow(), cycles)
    headers = {"Cache-Control": "private, max-age=300", "Content-Disposition": 'inline; filename="effekt.ics"'}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)
