"""The demo's measurement cycles: the web shop's last four months, three reviewed and closed, the latest open.

Written as a team would have written them, a few days after each month ended: an analysis note on what moved,
a root cause on every KPI that went off track, and findings for the action list. The latest is still open:
its review has begun (notes and a finding) and any KPI off track in it still waits for its root cause."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from kit.dates import add_months
from kit.demo_language import english, say
from services.metrics.cycles import review, snapshot
from services.metrics.cycles.models import CycleItem, FindingCreate, ItemReview

MIKKO = "mikko.virtanen@example.com"
NOTES = {
    "Conversion rate": "Mobile checkout converts at half the desktop rate; desktop is steady.",
    "Online revenue": "Follows visits; the average order is unchanged.",
    "Visits": "Organic search carries the growth; paid traffic flat.",
    "Marketing cost": "Within the agreed budget band.",
    "Hours spent on content": "Gear-test photo shoots take longer than planned.",
    "Net Promoter Score": "Detractors mention delivery times, not products.",
    "Complaints": "Most complaints are about delivery dates.",
    "Time to answer complaints": "Weekend complaints wait until Monday.",
}
ROOT_CAUSES = {
    "Conversion rate": "The payment step reloads on mobile and loses the basket for some card types.",
    "Online revenue": "Fewer visits from the newsletter while Turbrevet was paused.",
    "Visits": "The spring guides were published late, after the season's searches peaked.",
    "Marketing cost": "A campaign was booked twice with the agency.",
    "Hours spent on content": "Photo shoots for gear tests are planned per article, not in batches.",
    "Articles published": "Two writers on leave; no cover planned.",
    "Campaigns run": "The newsletter tool migration stopped campaigns for two weeks.",
    "Net Promoter Score": "Delivery promises on the product page are too optimistic.",
    "Complaints": "The carrier changed its pick-up time; orders after 14:00 ship a day later.",
    "Time to answer complaints": "Nobody has the Facebook inbox on weekends.",
}
FINDINGS = [  # KPIs of the web shop or workspace-wide: the ones its cycles hold
    [("Checkout: keep the basket when the payment page reloads on mobile.", "Conversion rate", "technology")],
    [
        ("Show the real delivery date on every product page.", "Net Promoter Score", "content"),
        ("Move spend from display ads to the shop's search campaigns.", "Marketing cost", "channel"),
    ],
    [("Ask for the review in the delivery e-mail, not a week later.", "Net Promoter Score", "way_of_working")],
    [("Bring back Turbrevet's seasonal tips with links to the shop.", "Online revenue", "channel")],
]


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def seed(session: Session, *, workspace_id: int, surface_id: int, people: dict[str, int], today: date) -> None:
    """Open, review and (but for the latest) close the surface's cycles of the four months before this one."""
    user = people.get(MIKKO)
    latest = add_months(today.replace(day=1), -1)
    for n, start in enumerate(add_months(latest, -back) for back in (3, 2, 1, 0)):
        end = add_months(start, 1) - timedelta(days=1)
        reviewed = _at(end + timedelta(days=3))
        cycle, _ = snapshot.open_cycle(
            session=session,
            workspace_id=workspace_id,
            surface_id=surface_id,
            surface_name=say("Nettbutikk"),
            cadence="monthly",
            period_start=start,
            period_end=end,
            at=_at(end + timedelta(days=1), 2),
        )
        closing = n < 3
        items = session.exec(
            select(CycleItem).where(CycleItem.cycle_id == cycle.id).order_by(col(CycleItem.name))
        ).all()
        kpis = {english(item.name): item.kpi_id for item in items}
        for item in items:
            red = item.status == "off_track"
            root = ROOT_CAUSES.get(english(item.name)) if red and closing else None
            note = NOTES.get(english(item.name)) if item.status != "not_measured" else None
            if note or root:
                review.review_item(
                    session=session,
                    workspace_id=workspace_id,
                    cycle_id=cycle.id,
                    kpi_id=item.kpi_id,
                    data=ItemReview(
                        note=note and say(note),
                        root_cause=say(root) if root else (say("Not analysed yet.") if red and closing else None),
                    ),
                    user_id=user,
                )
        for text, kpi_name, kind in FINDINGS[n]:
            review.add_finding(
                session=session,
                workspace_id=workspace_id,
                cycle_id=cycle.id,
                user_id=user,
                at=reviewed,
                data=FindingCreate(text=say(text), kpi_id=kpis.get(kpi_name), change_kind=kind),
            )
        if closing:
            review.close_cycle(
                session=session,
                workspace_id=workspace_id,
                cycle_id=cycle.id,
                user_id=user,
                at=reviewed + timedelta(days=1),
            )
