"""The goals service's part of the demo: the surfaces Nordvik Outdoor runs and its digital strategy.

KPI links are left out: the metrics demo is seeded after this one, in another database."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from services.goals import service
from services.goals.goal_models import Goal, GoalCreate, GoalLevel
from services.goals.kpis import NoKpis
from services.goals.models import Cadence, Surface, SurfaceCreate, SurfaceKind

INGRID, MIKKO, SARA = "ingrid.solberg@example.com", "mikko.virtanen@example.com", "sara.lindqvist@example.com"
OWNER = "demo@example.com"

SURFACES = [
    ("nordvikoutdoor.no", SurfaceKind.website, "https://www.nordvikoutdoor.no", Cadence.monthly, INGRID),
    ("Nettbutikk", SurfaceKind.web_shop, "https://shop.nordvikoutdoor.no", Cadence.monthly, MIKKO),
    ("Min side (customer portal)", SurfaceKind.customer_portal, "https://minside.nordvikoutdoor.no", Cadence.quarterly, SARA),
    ("Nordvik app", SurfaceKind.app, None, Cadence.quarterly, MIKKO),
    ("Turbrevet newsletter", SurfaceKind.newsletter, None, Cadence.monthly, SARA),
    ("Facebook", SurfaceKind.social_media, "https://www.facebook.com/nordvikoutdoor", Cadence.monthly, SARA),
    ("Instagram", SurfaceKind.social_media, "https://www.instagram.com/nordvikoutdoor", Cadence.quarterly, SARA),
    ("Intranet", SurfaceKind.intranet, None, Cadence.half_yearly, INGRID),
]

# (title, owner, weight, description, surfaces by name for tactical means), nested: goal → means → tactical
STRATEGY = [
    ("Grow online revenue by 15 %", OWNER, 2.0, "Sell more through our own channels than through resellers.", [
        ("Be the outdoor brand people trust", INGRID, 1.0, "Known for honest advice on gear and trips.", [
            ("Trip guides and gear tests that rank in search", INGRID, 2.0, "Answer what people search for "
             "before a trip, and link to the gear.", ["nordvikoutdoor.no"]),
            ("Trip stories on Instagram and Facebook", SARA, 1.0, "Customers' own trips, reposted with "
             "permission.", ["Instagram", "Facebook"]),
            ("Turbrevet: seasonal tips that bring readers back", SARA, 1.0, "One useful tip per issue, "
             "not only offers.", ["Turbrevet newsletter"]),
        ]),
        ("Make buying easy", MIKKO, 1.0, "Fewer reasons to leave the shop before paying.", [
            ("Faster checkout in the web shop", MIKKO, 2.0, "Vipps, saved addresses and a clear delivery "
             "date.", ["Nettbutikk"]),
            ("Wish lists and stock alerts in the app", MIKKO, 1.0, "Tell customers when their size is "
             "back.", ["Nordvik app"]),
        ]),
    ]),
    ("Cut customer service costs by 20 %", MIKKO, 1.0, "Fewer calls and emails per order.", [
        ("Satisfied customers who do not need to ask", SARA, 1.0, "Answer fast where customers already are.", [
            ("Answer complaints on Facebook within 4 hours", SARA, 1.0, "Most unhappy customers never "
             "complain: those who do get a fast answer.", ["Facebook"]),
        ]),
        ("Self-service", MIKKO, 1.0, "Customers and staff find the answer themselves.", [
            ("Returns and order tracking on Min side", SARA, 2.0, "Start a return without calling us.",
             ["Min side (customer portal)"]),
            ("Product knowledge for shop staff on the intranet", INGRID, 1.0, "Staff answer gear questions "
             "without phoning the office.", ["Intranet"]),
        ]),
    ]),
]


def _count(session: Session, model: type, workspace_id: int) -> int:
    return session.exec(select(func.count()).select_from(model).where(model.workspace_id == workspace_id)).one()


def _seed_surfaces(session: Session, workspace_id: int, people: dict[str, int], today: date) -> None:
    for name, kind, url, cadence, owner in SURFACES:
        start = date(today.year, 1, 1) if cadence != Cadence.monthly else today.replace(day=1)
        service.create_surface(session=session, workspace_id=workspace_id, data=SurfaceCreate(
            name=name, kind=kind, url=url, cadence=cadence, period_start=start, owner_id=people.get(owner)))


def _seed_strategy(session: Session, workspace_id: int, people: dict[str, int], today: date) -> None:
    surfaces = dict(session.exec(select(Surface.name, Surface.id).where(
        Surface.workspace_id == workspace_id, Surface.archived == False)).all())  # noqa: E712  (SQL)
    period = {"period_from": date(today.year, 1, 1), "period_to": date(today.year, 12, 31)}
    actor = people.get(OWNER) or next(iter(people.values()), 0)

    def add(level: GoalLevel, parent_id: int | None, title: str, owner: str, weight: float, description: str,
            surface_ids: list[int] | None = None) -> int:
        data = GoalCreate(title=title, level=level, parent_id=parent_id, owner_id=people.get(owner), weight=weight,
                          description=description, surface_ids=surface_ids or [], **period)
        return service.create_goal(session=session, workspace_id=workspace_id, user_id=actor, data=data,
                                   metrics=NoKpis()).id

    for title, owner, weight, description, means in STRATEGY:
        goal_id = add(GoalLevel.strategic_goal, None, title, owner, weight, description)
        for m_title, m_owner, m_weight, m_description, tactics in means:
            means_id = add(GoalLevel.strategic_means, goal_id, m_title, m_owner, m_weight, m_description)
            for t_title, t_owner, t_weight, t_description, names in tactics:
                ids = [surfaces[n] for n in names if n in surfaces]
                if ids:  # a demo surface archived or renamed by hand: leave its tactical means out
                    add(GoalLevel.tactical_means, means_id, t_title, t_owner, t_weight, t_description, ids)


def seed(session: Session, *, workspace_id: int, people: dict[str, int], today: date | None = None) -> bool:
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
    return added
