"""Set-up shared by `effekt up`, `effekt migrate` and the tests: migrations and the demo workspace."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from effekt.registry import PARTS, ROLES, SERVICES
from kit import migrations
from kit.db import in_session, make_engine


def migrate(names: tuple[str, ...] = ROLES) -> None:
    """Bring each part's database to its newest migration."""
    for name in names:
        part = PARTS[name]
        migrations.upgrade(part.service_dir, part.database_url())


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str | None
    created: bool


def demo_password(data_dir: Path) -> str:
    """EFFEKT_DEMO_PASSWORD, else one generated once and kept (mode 0600) in the data dir."""
    configured = os.environ.get("EFFEKT_DEMO_PASSWORD")
    if configured:
        return configured
    path = data_dir / "demo-password.txt"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(9))
    return path.read_text().strip()


def seed_demo(data_dir: Path) -> DemoLogin:
    """Create the demo workspace on first start; each service adds its part if it has none yet."""
    from gateway import demo as gateway_demo

    password = demo_password(data_dir)
    engine = make_engine(PARTS["gateway"].database_url())
    try:
        workspace_id, people, created = in_session(engine, lambda s: gateway_demo.ensure(s, password=password))
    finally:
        engine.dispose()
    refs: dict = {}  # ids one service's demo hands to the next: surfaces to metrics, KPIs back to goals
    for step in ("seed", "connect"):
        for name in SERVICES:
            part = PARTS[name]
            demo = part.module("demo")
            if not hasattr(demo, step):
                continue
            engine = make_engine(part.database_url())
            try:
                if step == "seed":
                    in_session(
                        engine, lambda s, demo=demo: demo.seed(s, workspace_id=workspace_id, people=people, refs=refs)
                    )
                else:
                    in_session(engine, lambda s, demo=demo: demo.connect(s, workspace_id=workspace_id, refs=refs))
            finally:
                engine.dispose()
    return DemoLogin(gateway_demo.DEMO_EMAIL, password, created)
