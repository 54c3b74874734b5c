"""The built-in strategy templates.

"Digital strategy" follows the seed's goal hierarchy: two strategic goals (more revenue, lower costs),
strategic means that serve them (brand building, customer satisfaction, self-service), and tactical
means on each kind of digital surface, with the KPIs that would show whether they work."""

from __future__ import annotations

from services.goals.goals.models import GoalLevel
from services.goals.surfaces.models import SurfaceKind
from services.goals.templates.schemas import TemplateNode, TemplatePublic

G, S, T = GoalLevel.strategic_goal, GoalLevel.strategic_means, GoalLevel.tactical_means


def _tactical(key: str, title: str, kind: SurfaceKind, kpis: list[str], description: str) -> TemplateNode:
    return TemplateNode(
        key=key, title=title, level=T, description=description, surface_kinds=[kind], suggested_kpis=kpis
    )


DIGITAL_STRATEGY = TemplatePublic(
    key="digital-strategy",
    name="Digital strategy",
    builtin=True,
    owner_id=None,
    created_at=None,
    description="Strategic goals (increase revenue, reduce costs), the strategic means that serve them, and "
    "tactical means on each digital surface. Surfaces are seen together, not one silo each.",
    nodes=[
        TemplateNode(
            key="revenue",
            title="Increase revenue",
            level=G,
            suggested_kpis=["revenue"],
            children=[
                TemplateNode(
                    key="revenue.brand",
                    title="Build the brand",
                    level=S,
                    children=[
                        _tactical(
                            "revenue.brand.website",
                            "Be found and chosen on the website",
                            SurfaceKind.website,
                            ["organic visits", "conversion rate"],
                            "Content that answers what customers search for.",
                        ),
                        _tactical(
                            "revenue.brand.social",
                            "Take part in the conversation on social media",
                            SurfaceKind.social_media,
                            ["engagement rate", "followers"],
                            "Show the brand where customers already talk.",
                        ),
                        _tactical(
                            "revenue.brand.newsletter",
                            "A newsletter worth opening",
                            SurfaceKind.newsletter,
                            ["click rate"],
                            "Bring readers back with something useful each time.",
                        ),
                    ],
                ),
                TemplateNode(
                    key="revenue.satisfaction",
                    title="Raise customer satisfaction",
                    level=S,
                    suggested_kpis=["Net Promoter Score"],
                    children=[
                        _tactical(
                            "revenue.satisfaction.social",
                            "Answer complaints on social media within 4 h",
                            SurfaceKind.social_media,
                            ["answer complaints within 4 h"],
                            "Most dissatisfied customers never complain: answer fast those who do.",
                        ),
                        _tactical(
                            "revenue.satisfaction.shop",
                            "A web shop that is easy to buy from",
                            SurfaceKind.web_shop,
                            ["revenue", "cart abandonment"],
                            "Fewer steps, clear delivery and returns.",
                        ),
                        _tactical(
                            "revenue.satisfaction.app",
                            "An app customers keep using",
                            SurfaceKind.app,
                            ["monthly active users"],
                            "Features that are worth coming back to.",
                        ),
                    ],
                ),
            ],
        ),
        TemplateNode(
            key="costs",
            title="Reduce costs",
            level=G,
            suggested_kpis=["cost to serve"],
            children=[
                TemplateNode(
                    key="costs.selfservice",
                    title="Let customers serve themselves",
                    level=S,
                    children=[
                        _tactical(
                            "costs.selfservice.portal",
                            "Self-service in the customer portal",
                            SurfaceKind.customer_portal,
                            ["self-service share"],
                            "Orders, returns and invoices without calling customer service.",
                        ),
                        _tactical(
                            "costs.selfservice.intranet",
                            "Answers staff can find on the intranet",
                            SurfaceKind.intranet,
                            ["findability score"],
                            "Staff who find answers answer customers faster.",
                        ),
                        _tactical(
                            "costs.selfservice.website",
                            "Answers on the website before customers ask",
                            SurfaceKind.website,
                            ["contact rate per order"],
                            "Help pages that cut the questions.",
                        ),
                    ],
                ),
            ],
        ),
    ],
)

BUILTINS = {t.key: t for t in (DIGITAL_STRATEGY,)}
