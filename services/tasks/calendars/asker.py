"""What a feed asks the other services, as the feed's owner (the request itself carries no identity: a calendar
app sends only the URL): is the owner still a member of the workspace (gateway), and the workspace's measurement
cycles (metrics). The identity is signed here with the key every service shares, as viewer, for one minute."""

from __future__ import annotations

import logging
from typing import Any

from kit.errors import Unavailable
from kit.principal import Principal, sign_identity
from kit.roles import Role
from services.tasks.calendars.models import CalendarFeed

log = logging.getLogger("effekt.tasks.calendars")
MAX_CYCLES = 200


class FeedAsker:
    def __init__(self, client: Any, signing_key: str, feed: CalendarFeed):
        self.client = client
        principal = Principal(user_id=feed.user_id, workspace_id=feed.workspace_id, role=Role.viewer)
        self.identity = sign_identity(signing_key, principal)
        self.user_id = feed.user_id

    def is_member(self) -> bool:
        """Whether the feed's owner still belongs to its workspace; Unavailable when the gateway cannot say.
        Without an internal client (a lone service in tests) nobody can be asked, and the token stands alone."""
        if self.client is None:
            return True
        status, _ = self.client.get(None, "gateway", f"/members/{self.user_id}", identity=self.identity)
        if status not in (200, 404):
            raise Unavailable(f"The gateway did not answer the membership question ({status}).")
        return status == 200

    def cycles(self) -> list[dict[str, Any]]:
        """The workspace's measurement cycles, newest first; none when metrics cannot answer (the feed goes on)."""
        if self.client is None:
            return []
        try:
            status, body = self.client.get(
                None, "metrics", "/api/v1/cycles", params={"limit": MAX_CYCLES}, identity=self.identity
            )
        except Unavailable:
            log.warning("calendar feed: metrics did not answer; the feed goes without measurement cycles")
            return []
        if status != 200 or not isinstance(body, dict):
            return []
        return [c for c in body.get("data", []) if isinstance(c, dict)]
