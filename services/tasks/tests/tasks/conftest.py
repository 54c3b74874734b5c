from services.tasks.tests.workflow_support import client, engine, session  # noqa: F401
