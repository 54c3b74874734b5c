"""Every router of the metrics service, in the order the OpenAPI document lists them (dispatch's api.py)."""

from services.metrics.activity.routes import router as activity_router
from services.metrics.connectors.routes import router as connectors_router
from services.metrics.cycles.routes import router as cycles_router
from services.metrics.effects.routes import router as effects_router
from services.metrics.feedback.routes import router as feedback_router
from services.metrics.imports.routes import router as imports_router
from services.metrics.kpis.routes import router as kpis_router
from services.metrics.observations.routes import router as observations_router
from services.metrics.outbox.routes import router as outbox_router
from services.metrics.scorecard.routes import router as scorecard_router

ROUTERS = [
    kpis_router,
    observations_router,
    scorecard_router,
    cycles_router,
    imports_router,
    connectors_router,
    effects_router,
    feedback_router,
    outbox_router,
    activity_router,
]
