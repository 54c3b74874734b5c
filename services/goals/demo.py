"""The goals service's part of the demo: the surfaces Nordvik Outdoor runs and its digital strategy.

The metrics demo is seeded after this one, in another database: `refs` carries the surfaces' ids to it and
brings its KPIs' ids back for `connect`, which links them to the goals."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from kit.demo_language import english, say
from services.goals.goals import service as goal_service
from services.goals.goals.metrics_client import NoKpis
from services.goals.goals.models import Goal, GoalCreate, GoalKpi, GoalLevel
from services.goals.surfaces import service as surface_service
from services.goals.surfaces.models import Cadence, Surface, SurfaceCreate, SurfaceKind

INGRID, MIKKO, SARA = "ingrid.solberg@example.com", "mikko.virtanen@example.com", "sara.lindqvist@example.com"
OWNER = "demo@example.com"

SURFACES = [
    ("nordvikoutdoor.no", SurfaceKind.website, "https://www.nordvikoutdoor.no", Cadence.monthly, INGRID),
    ("Nettbutikk", SurfaceKind.web_shop, "https://shop.nordvikoutdoor.no", Cadence.monthly, MIKKO),
    (
        "Min side (customer portal)",
        SurfaceKind.customer_portal,
        "https://minside.nordvikoutdoor.no",
        Cadence.quarterly,
        SARA,
    ),
    ("Nordvik app", SurfaceKind.app, None, Cadence.quarterly, MIKKO),
    ("Turbrevet newsletter", SurfaceKind.newsletter, None, Cadence.monthly, SARA),
    ("Facebook", SurfaceKind.social_media, "https://www.facebook.com/nordvikoutdoor", Cadence.monthly, SARA),
    ("Instagram", SurfaceKind.social_media, "https://www.instagram.com/nordvikoutdoor", Cadence.quarterly, SARA),
    ("Intranet", SurfaceKind.intranet, None, Cadence.half_yearly, INGRID),
]

# (title, owner, weight, description, surfaces by name for tactical means), nested: goal → means → tactical
STRATEGY = [
    (
        "Grow online revenue by 15 %",
        OWNER,
        2.0,
        "Sell more through our own channels than through resellers.",
        [
            (
                "Be the outdoor brand people trust",
                INGRID,
                1.0,
                "Known for honest advice on gear and trips.",
                [
                    (
                        "Trip guides and gear tests that rank in search",
                        INGRID,
                        2.0,
                        "Answer what people search for before a trip, and link to the gear.",
                        ["nordvikoutdoor.no"],
                    ),
                    (
                        "Trip stories on Instagram and Facebook",
                        SARA,
                        1.0,
                        "Customers' own trips, reposted with permission.",
                        ["Instagram", "Facebook"],
                    ),
                    (
                        "Turbrevet: seasonal tips that bring readers back",
                        SARA,
                        1.0,
                        "One useful tip per issue, not only offers.",
                        ["Turbrevet newsletter"],
                    ),
                ],
            ),
            (
                "Make buying easy",
                MIKKO,
                1.0,
                "Fewer reasons to leave the shop before paying.",
                [
                    (
                        "Faster checkout in the web shop",
                        MIKKO,
                        2.0,
                        "Vipps, saved addresses and a clear delivery date.",
                        ["Nettbutikk"],
                    ),
                    (
                        "Wish lists and stock alerts in the app",
                        MIKKO,
                        1.0,
                        "Tell customers when their size is back.",
                        ["Nordvik app"],
                    ),
                ],
            ),
        ],
    ),
    (
        "Cut customer service costs by 20 %",
        MIKKO,
        1.0,
        "Fewer calls and emails per order.",
        [
            (
                "Satisfied customers who do not need to ask",
                SARA,
                1.0,
                "Answer fast where customers already are.",
                [
                    (
                        "Answer complaints on Facebook within 4 hours",
                        SARA,
                        1.0,
                        "Most unhappy customers never complain: those who do get a fast answer.",
                        ["Facebook"],
                    ),
                ],
            ),
            (
                "Self-service",
                MIKKO,
                1.0,
                "Customers and staff find the answer themselves.",
                [
                    (
                        "Returns and order tracking on Min side",
                        SARA,
                        2.0,
                        "Start a return without calling us.",
                        ["Min side (customer portal)"],
                    ),
                    (
                        "Product knowledge for shop staff on the intranet",
                        INGRID,
                        1.0,
                        "Staff answer gear questions without phoning the office.",
                        ["Intranet"],
                    ),
                ],
            ),
        ],
    ),
]


def _count(session: Session, model: type, workspace_id: int) -> int:
    return session.exec(select(func.count()).select_from(model).where(model.workspace_id == workspace_id)).one()


def _seed_surfaces(session: Session, workspace_id: int, people: dict[str, int], today: date) -> None:
    for name, kind, url, cadence, owner in SURFACES:
        start = date(today.year, 1, 1)  # every cadence counted from New Year: past periods line up with cycles
        surface_service.create_surface(
            session=session,
            workspace_id=workspace_id,
            data=SurfaceCreate(
                name=say(name), kind=kind, url=url, cadence=cadence, period_start=start, owner_id=people.get(owner)
            ),
        )


def _seed_strategy(session: Session, workspace_id: int, people: dict[str, int], today: date) -> None:
    surfaces = {
        english(name): surface_id
        for name, surface_id in session.exec(
            select(Surface.name, Surface.id).where(Surface.workspace_id == workspace_id, Surface.archived.is_(False))
        ).all()
    }  # noqa: E712  (SQL)
    period = {"period_from": date(today.year, 1, 1), "period_to": date(today.year, 12, 31)}
    actor = people.get(OWNER) or next(iter(people.values()), 0)

    def add(
        level: GoalLevel,
        parent_id: int | None,
        title: str,
        owner: str,
        weight: float,
        description: str,
        surface_ids: list[int] | None = None,
    ) -> int:
        data = GoalCreate(
            title=say(title),
            level=level,
            parent_id=parent_id,
            owner_id=people.get(owner),
            weight=weight,
            description=say(description),
            surface_ids=surface_ids or [],
            **period,
        )
        return goal_service.create_goal(
            session=session, workspace_id=workspace_id, user_id=actor, data=data, metrics=NoKpis()
        ).id

    for title, owner, weight, description, means in STRATEGY:
        goal_id = add(GoalLevel.strategic_goal, None, title, owner, weight, description)
        for m_title, m_owner, m_weight, m_description, tactics in means:
            means_id = add(GoalLevel.strategic_means, goal_id, m_title, m_owner, m_weight, m_description)
            for t_title, t_owner, t_weight, t_description, names in tactics:
                ids = [surfaces[n] for n in names if n in surfaces]
                if ids:  # a demo surface archived or renamed by hand: leave its tactical means out
                    add(GoalLevel.tactical_means, means_id, t_title, t_owner, t_weight, t_description, ids)


def seed(
    session: Session, *, workspace_id: int, people: dict[str, int], today: date | None = None, refs: dict | None = None
) -> bool:
    """Add the demo surfaces and strategy where the workspace has none yet; True if it added anything."""
    today = today or date.today()
    added = False
    if not _count(session, Surface, workspace_id):
        _seed_surfaces(session, workspace_id, people, today)
        added = True
    if not _count(session, Goal, workspace_id):
        session.flush()
        _seed_strategy(session, workspace_id, people, today)
        added = True
    if refs is not None:
        session.flush()
        refs["surfaces"] = {  # by their English names, whatever the demo's language
            english(name): surface_id
            for name, surface_id in session.exec(
                select(Surface.name, Surface.id).where(
                    Surface.workspace_id == workspace_id, Surface.archived.is_(False)
                )
            ).all()
        }  # noqa: E712  (SQL)
    return added


# Goal title → (KPI name, weight): what each goal is measured by.
KPI_LINKS = {
    "Grow online revenue by 15 %": [("Online revenue", 1.0)],
    "Be the outdoor brand people trust": [("Net Promoter Score", 1.0)],
    "Trip guides and gear tests that rank in search": [("Visits", 2.0), ("Articles published", 1.0)],
    "Trip stories on Instagram and Facebook": [("Campaigns run", 1.0)],
    "Turbrevet: seasonal tips that bring readers back": [("Campaigns run", 1.0), ("Visits", 1.0)],
    "Faster checkout in the web shop": [("Conversion rate", 2.0), ("Online revenue", 1.0)],
    "Wish lists and stock alerts in the app": [("Online revenue", 1.0)],
    "Cut customer service costs by 20 %": [("Complaints", 1.0)],
    "Answer complaints on Facebook within 4 hours": [("Time to answer complaints", 2.0), ("Complaints", 1.0)],
    "Returns and order tracking on Min side": [("Complaints", 1.0)],
}


def connect(session: Session, *, workspace_id: int, refs: dict) -> bool:
    """Link the demo goals to the metrics demo's KPIs (by name, from `refs`) unless any goal has links."""
    kpis = refs.get("kpis") or {}
    goals = {
        english(title): goal_id
        for title, goal_id in session.exec(select(Goal.title, Goal.id).where(Goal.workspace_id == workspace_id)).all()
    }
    if not kpis or not goals:
        return False
    linked = session.exec(select(func.count()).select_from(GoalKpi).where(col(GoalKpi.goal_id).in_(goals.values())))
    if linked.one():
        return False
    for title, links in KPI_LINKS.items():
        for name, weight in links:
            if title in goals and name in kpis:
                session.add(GoalKpi(goal_id=goals[title], kpi_id=kpis[name], weight=weight))
    session.flush()
    return True
