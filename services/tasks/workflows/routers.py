"""The routers of the workflow concepts, in mounting order: what the service's routes.py adds."""

from services.tasks.events.routes import router as events
from services.tasks.retrospectives.routes import router as retrospectives
from services.tasks.runs.routes import router as runs
from services.tasks.tasks.routes import my_work
from services.tasks.tasks.routes import router as tasks
from services.tasks.workflows.routes import router as workflows

ROUTERS = [retrospectives, workflows, runs, tasks, my_work, events]
