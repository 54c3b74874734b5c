"""What a delivery sends: the Standard Webhooks body and signature, a Slack Block Kit message, a Teams card.

Standard Webhooks: the body is {"type", "timestamp", "data"}; the headers are webhook-id (the same on every try),
webhook-timestamp (Unix seconds of this try) and webhook-signature, "v1,<base64 HMAC-SHA256>" of
"<id>.<timestamp>.<body>" under each valid secret, space-separated (two during a rotation). Slack and Teams get
the occurrence in words (English: a workspace channel has no one reader's language) with a link to the item."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime
from typing import Any

from services.tasks.events.models import EventKind

SECRET_PREFIX = "whsec_"
TEST_TYPE = "webhook.test"

EVENT_TYPES = {
    EventKind.assigned: "task.assigned",
    EventKind.approval_requested: "task.approval_requested",
    EventKind.sent_back: "task.sent_back",
    EventKind.replan_proposed: "run.replan_proposed",
    EventKind.reassigned_away: "run.reassigned",
    EventKind.run_finished: "run.finished",
    EventKind.due_48h: "task.due_48h",
    EventKind.due_24h: "task.due_24h",
    EventKind.overdue: "task.overdue",
    EventKind.escalated: "task.escalated",
    EventKind.cycle_opened: "cycle.opened",
    EventKind.kpi_stale: "kpi.stale",
    EventKind.import_finished: "import.finished",
    EventKind.import_failed: "import.failed",
    EventKind.connector_failing: "connector.failing",
    EventKind.action_done: "action.done",
    EventKind.effect_evaluated: "effect.evaluated",
}

HEADLINES = {
    "task.assigned": "A step was assigned",
    "task.approval_requested": "An approval is requested",
    "task.sent_back": "A step was sent back",
    "run.replan_proposed": "A new plan is proposed",
    "run.reassigned": "Steps were handed over",
    "run.finished": "A run is finished",
    "task.due_48h": "A step is due in 48 hours",
    "task.due_24h": "A step is due in 24 hours",
    "task.overdue": "A step is overdue",
    "task.escalated": "An overdue step was escalated",
    "cycle.opened": "A measurement cycle opened",
    "kpi.stale": "A KPI has no recent figures",
    "import.finished": "An import finished",
    "import.failed": "An import failed",
    "connector.failing": "A connector is failing",
    "action.done": "An action is done",
    "effect.evaluated": "An action's effect was evaluated",
    TEST_TYPE: "Test event from Effekt",
}
# The names in an event's params that say what it is about, in the order they are shown.
SUBJECT_PARAMS = (
    "task_title", "title", "task", "action_title", "action", "kpi_name", "kpi", "cycle_name", "cycle", "connector",
    "file", "run_name", "run",
)  # fmt: skip


def new_secret() -> str:
    """A signing secret: whsec_ and 32 random bytes in base64 (the form receivers' libraries read)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """One "v1,<signature>" of the body under `secret`."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def standard_request(payload: dict, message_id: str, timestamp: int, secrets_: list[str]) -> tuple[bytes, dict]:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(secret, message_id, timestamp, body) for secret in secrets_),
    }
    return body, headers


def headline(event_type: str) -> str:
    return HEADLINES.get(event_type, event_type)


def subject(data: dict[str, Any]) -> str | None:
    params = data.get("params") or {}
    names = [str(params[name]) for name in SUBJECT_PARAMS if params.get(name)]
    return " · ".join(dict.fromkeys(names)) or None


def slack_body(payload: dict) -> dict:
    """A Block Kit message: a section in mrkdwn, a button to the item, and the text fallback notifications show."""
    title, about, url = headline(payload["type"]), subject(payload["data"]), payload["data"].get("url")
    text = f"{title}: {about}" if about else title
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{_slack_escape(title)}*" + (
            f"\n{_slack_escape(about)}" if about else "")}},
    ]  # fmt: skip
    if url:
        blocks.append({
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open in Effekt"}, "url": url}],
        })  # fmt: skip
    return {"text": text, "blocks": blocks}


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_body(payload: dict) -> dict:
    """A Teams Workflows message: one Adaptive Card attachment (Office 365 connectors' MessageCard is retired)."""
    title, about, url = headline(payload["type"]), subject(payload["data"]), payload["data"].get("url")
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    if about:
        body.append({"type": "TextBlock", "text": about, "wrap": True})
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in Effekt", "url": url}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def json_request(body: dict) -> tuple[bytes, dict]:
    return json.dumps(body, ensure_ascii=False).encode(), {"content-type": "application/json"}


def timestamp_of(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
