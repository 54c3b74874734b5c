"""The migrations build exactly the tables the models declare: moving a model between modules needs no revision."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import services.metrics.models  # noqa: F401  (registers every concept's tables)
from kit.db import make_engine
from kit.migrations import downgrade, upgrade
from services.metrics.db import SERVICE_DIR, VERSION_TABLE, metadata


def _changes(url: str) -> list:
    owned = set(metadata.tables)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "version_table": VERSION_TABLE,
                    "include_name": lambda name, type_, parents: name in owned if type_ == "table" else True,
                },
            )
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def test_autogenerate_after_the_migrations_finds_no_change(tmp_path):
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    upgrade(SERVICE_DIR, url)
    assert _changes(url) == []


def test_every_table_of_the_models_is_migrated_and_the_migrations_go_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    upgrade(SERVICE_DIR, url)
    downgrade(SERVICE_DIR, url)
    changes = _changes(url)
    assert sorted(change[1].name for change in changes if change[0] == "add_table") == sorted(metadata.tables)
