"""Alembic per service: its own script folder, version table and tables."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData


def alembic_config(service_dir: Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(service_dir / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(service_dir: Path, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service_dir, url), revision)


def downgrade(service_dir: Path, url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(service_dir, url), revision)


def revision(service_dir: Path, url: str, message: str) -> None:
    command.revision(alembic_config(service_dir, url), message=message, autogenerate=True)


def run_env(metadata: MetaData, version_table: str) -> None:
    """The body of every service's migrations/env.py."""
    from alembic import context

    from kit.db import make_engine

    url = context.config.get_main_option("sqlalchemy.url")
    owned = set(metadata.tables)

    def include_name(name, type_, parent_names):
        return name in owned if type_ == "table" else True

    opts = dict(
        target_metadata=metadata,
        version_table=version_table,
        include_name=include_name,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **opts)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, **opts)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
