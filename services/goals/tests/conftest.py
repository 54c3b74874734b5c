from services.goals.tests.support import api, client, engine, metrics  # noqa: F401  (fixtures)
