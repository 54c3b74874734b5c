"""A feedback item's history in words: the metrics service logs each step as an action with a short detail
("created" web_form, "state" answered → resolved, "category" 12); this reads them into the fields the item page
words and translates."""

from __future__ import annotations

import re
from typing import Any

from frontend.backend import int_or_none

STATE_CHANGE = re.compile(r"(?P<before>\w+) → (?P<after>\w+)")
CREATED = re.compile(r"(?P<channel>\w+)(?: \((?P<how>\w+)\))?")
RETENTION = re.compile(r"retention (?P<months>\d+) months")
VALUE_CHANGES = ("channel", "kind", "sentiment")


def describe(event: dict[str, Any]) -> dict[str, Any]:
    """The event as {at, user_id, what, …fields}; `what` is "raw" (action and detail as they are) for a step
    this page does not know."""
    action, detail = str(event.get("action") or ""), str(event.get("detail") or "")
    out: dict[str, Any] = {"at": event.get("at"), "user_id": event.get("user_id"), "what": action}
    if action == "created" and (found := CREATED.fullmatch(detail)):
        out.update(channel=found["channel"], imported=found["how"] == "import")
    elif action == "state" and (found := STATE_CHANGE.fullmatch(detail)):
        out.update(before=found["before"], after=found["after"])
    elif action == "owner":
        out["owner_id"] = int_or_none(detail)
    elif action == "category":
        out["category_id"] = int_or_none(detail)
    elif action in VALUE_CHANGES:
        out["value"] = detail
    elif action == "answered":
        out["text"] = detail
    elif action == "erased":
        found = RETENTION.fullmatch(detail)
        out["months"] = int(found["months"]) if found else None
    elif action != "noted":
        out.update(what="raw", action=action, detail=detail)
    return out
