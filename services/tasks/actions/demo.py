"""The demo's action list, made after the metrics demo handed over its findings, KPIs and effect story (`refs`):
twelve actions across the four quadrants, in two planning periods (this quarter over capacity, and one person
over their own hours in it), two done with their effect to judge (one confirmed, one inconclusive with a
confounder), one flagged by the cadence check; and, when the metrics demo filed feedback, a thirteenth made from
delivery complaints, done, that reduced them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from kit.demo_language import english, say
from services.tasks.actions import service
from services.tasks.actions.models import Action, ActionCreate, ActionStatus
from services.tasks.periods import service as periods
from services.tasks.periods.models import CapacityIn, Period, PeriodCreate, PersonCapacity

MIKKO, SARA, INGRID = "mikko.virtanen@example.com", "sara.lindqvist@example.com", "ingrid.solberg@example.com"
OWN_HOURS = {MIKKO: 60.0, SARA: 10.0, INGRID: 30.0}  # hours of their own in this quarter
SHOP = "Nettbutikk"  # the goals demo's web shop: measured monthly from New Year
# (finding text starts with, or None; fields; what happens: done key, planned "now"/"then", or an idea/drop)
ACTIONS: list[tuple[str | None, dict[str, Any], str]] = [
    ("Checkout", {"title": "Keep the basket when the mobile payment page reloads", "effort_hours": 6, "gain": 5,
     "expected_size": 8, "evaluation_periods": 3, "reach": 4000, "rice_impact": 2, "rice_confidence": 80,
     "owner": MIKKO,
     "hypothesis": "If the basket survives the reload, mobile buyers finish the order."}, "confirmed"),
    ("Ask for the review", {"title": "Ask for the review in the delivery e-mail", "effort_hours": 4,
     "expected_size": 5, "evaluation_periods": 3, "owner": SARA}, "inconclusive"),
    (None, {"title": "Carrier pick-up at 16:00 so late orders ship the same day", "change_kind": "way_of_working",
     "kpi": "Net Promoter Score", "effort_hours": 16, "gain": 4, "owner": INGRID}, "in_progress"),
    ("Move spend", {"title": "Move spend from display ads to search campaigns", "effort_hours": 12, "gain": 4,
     "expected_direction": "down", "expected_size": 5, "owner": SARA}, "now"),
    (None, {"title": "Rebuild the product filter", "change_kind": "technology", "kpi": "Online revenue",
     "effort_hours": 80, "gain": 5, "reach": 10000, "rice_impact": 1, "rice_confidence": 50}, "now"),
    (None, {"title": "Redesign the blog", "change_kind": "content", "kpi": "Visits", "effort_hours": 60, "gain": 2},
     "now"),
    (None, {"title": "Fix broken links from old campaigns", "change_kind": "technology", "kpi": "Visits",
     "effort_hours": 3, "gain": 2}, "now"),
    (None, {"title": "Weekend rota for the Facebook inbox", "change_kind": "way_of_working",
     "kpi": "Time to answer complaints", "expected_direction": "down", "expected_size": 40, "effort_hours": 8,
     "ice_impact": 6, "ice_confidence": 8, "ice_ease": 9, "owner": INGRID}, "now"),
    ("Show the real delivery date", {"title": "Show the real delivery date on every product page",
     "effort_size": "L", "gain": 3}, "idea"),
    ("Bring back Turbrevet", {"title": "Bring back Turbrevet's seasonal tips", "effort_size": "L", "gain": 4},
     "idea"),
    (None, {"title": "Batch the gear-test photo shoots", "change_kind": "way_of_working",
     "kpi": "Hours spent on content", "expected_direction": "down", "expected_size": 15, "effort_hours": 10, "gain": 2},
     "idea"),
    (None, {"title": "Send a tracking link the day the parcel leaves", "change_kind": "way_of_working",
     "expected_direction": "down", "expected_size": 40, "evaluation_periods": 3, "effort_hours": 12, "gain": 4,
     "owner": INGRID,
     "hypothesis": "If customers can follow their parcel, fewer complain that it is late."}, "fewer_complaints"),
    (None, {"title": "Start a podcast", "change_kind": "channel", "kpi": "Visits", "effort_hours": 120, "gain": 1},
     "drop"),
]  # fmt: skip


class DemoOwners:
    """The goals and metrics demo records as `refs` hands them over (every demo KPI is measured monthly)."""

    def __init__(self, refs: dict, today: date):
        named = {**refs.get("kpis", {}), **refs.get("feedback_kpis", {})}
        self.kpis = {i: {"id": i, "name": n, "expected_frequency": "month"} for n, i in named.items()}
        self.findings = {f["id"]: f for f in refs.get("findings", [])}
        self.feedback = set(refs.get("feedback_items", []))  # ids the metrics demo filed
        shop = (refs.get("surfaces") or {}).get(SHOP)
        self.surfaces = {shop: {"id": shop, "cadence": "monthly", "period_start": date(today.year, 1, 1)}}

    def kpi(self, kpi_id):
        return self.kpis.get(kpi_id)

    def goal(self, goal_id):
        return None

    def surface(self, surface_id):
        return self.surfaces.get(surface_id)

    def feedback_items(self, item_ids):
        return set(item_ids) & set(self.feedback)

    def finding(self, finding_id):
        return self.findings.get(finding_id)

    def effects(self, probes):
        return []


def _quarter(session: Session, workspace_id: int, day: date) -> Period:
    """The workspace's period holding `day`, or its quarter made now (the done actions may be last year's)."""
    found = session.exec(
        select(Period).where(Period.workspace_id == workspace_id, Period.starts_on <= day, Period.ends_on >= day)
    ).first()
    if found:
        return found
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    last = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1) - timedelta(days=1)
    name = f"Q{(first.month - 1) // 3 + 1} {first.year}"
    data = PeriodCreate(name=name, starts_on=first, ends_on=last, capacity_hours=120.0)
    return periods.create_period(session=session, workspace_id=workspace_id, data=data)


def seed(session: Session, *, workspace_id: int, refs: dict) -> bool:
    """Make the demo's actions unless the workspace has some; True if it made them."""
    if session.exec(select(func.count()).select_from(Action).where(Action.workspace_id == workspace_id)).one():
        return False
    if not refs.get("findings") or not refs.get("kpis"):
        return False
    today = datetime.now(ZoneInfo("Europe/Oslo")).date()
    owners, people, effects = DemoOwners(refs, today), refs.get("people") or {}, refs.get("effects") or {}
    done_on = {k: date.fromisoformat(v["done_on"]) for k, v in effects.items()}
    then = _quarter(session, workspace_id, min(done_on.values(), default=today))
    now = _quarter(session, workspace_id, today)
    hours = [PersonCapacity(owner_id=people[k], capacity_hours=v) for k, v in OWN_HOURS.items() if people.get(k)]
    if hours:  # each person's own hours this quarter: Sara's search campaigns take more than she has
        data = CapacityIn(capacity_hours=now.capacity_hours, people=hours)
        periods.set_capacity(session=session, workspace_id=workspace_id, period_id=now.id, data=data)
    for prefix, fields, fate in ACTIONS:
        if fate == "fewer_complaints" and fate not in done_on:
            continue  # the metrics demo filed no feedback: no complaints to reduce
        finding = next((f for f in refs["findings"] if prefix and english(f["text"]).startswith(prefix)), None)
        data = {
            k: say(v) if k in ("title", "hypothesis") else v for k, v in fields.items() if k not in ("kpi", "owner")
        }
        data.setdefault("expected_direction", "up")
        if finding:
            data["finding_id"] = finding["id"]
        if fields.get("kpi") in refs["kpis"]:
            data["kpi_id"] = refs["kpis"][fields["kpi"]]
        if fate == "fewer_complaints":  # made from the complaints that asked for it
            data["kpi_id"] = effects[fate]["kpi_id"]
            data["feedback_item_ids"] = effects[fate].get("feedback_item_ids", [])
        data["owner_id"] = people.get(fields.get("owner"))
        data["period_id"] = {"now": now.id, "idea": None, "drop": None}.get(fate, then.id)
        data["status"] = "planned" if data["period_id"] else "idea"
        action = service.create_action(
            session=session, workspace_id=workspace_id, user_id=people.get(MIKKO), data=ActionCreate(**data),
            owners=owners,
        )  # fmt: skip
        _carry_out(session, action, fate, done_on, people.get(MIKKO), today)
    return True


def _carry_out(session: Session, action: Action, fate: str, done_on: dict[str, date], user, today: date) -> None:
    def move(target: ActionStatus, **kw) -> None:
        service.change_status(
            session=session, workspace_id=action.workspace_id, user_id=user, action_id=action.id, target=target,
            today=today, **kw,
        )  # fmt: skip

    if fate in done_on:
        move(ActionStatus.in_progress)
        move(ActionStatus.done, done_on=done_on[fate])
    elif fate == "in_progress":
        action.due_on = done_on.get("inconclusive", today) + timedelta(days=10)  # its window overlaps the e-mail's
        move(ActionStatus.in_progress)
    elif fate == "drop":
        move(ActionStatus.dropped, reason="A nice-to-have: no KPI we steer by needs it now.")
