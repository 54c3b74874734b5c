from services.tasks.tests.workflow_support import session  # noqa: F401
