"""Every table of the metrics service, imported so its one registry (db.metadata) holds them: what Alembic reads."""

from services.metrics.activity import models as activity
from services.metrics.connectors import models as connectors
from services.metrics.cycles import models as cycles
from services.metrics.feedback import models as feedback
from services.metrics.imports import models as imports
from services.metrics.kpis import models as kpis
from services.metrics.observations import models as observations
from services.metrics.outbox import models as outbox

CONCEPTS = (kpis, observations, imports, cycles, connectors, feedback, outbox, activity)
