"""A throw-away PostgreSQL database for a benchmark: made fresh on the given server, dropped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg


def plain(url: str) -> str:
    """psycopg's form of a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg", "postgresql")


def server_url(url: str, database: str) -> str:
    """The same server, another database."""
    return plain(url).rsplit("/", 1)[0] + "/" + database


def _drop(admin_url: str, name: str) -> None:
    with psycopg.connect(plain(admin_url), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def scratch_database(admin_url: str, name: str, *, keep: bool = False) -> Iterator[str]:
    """Create `name` (after dropping a leftover) and yield its URL; drop it at the end unless `keep`."""
    _drop(admin_url, name)
    with psycopg.connect(plain(admin_url), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield server_url(admin_url, name)
    finally:
        if not keep:
            _drop(admin_url, name)
