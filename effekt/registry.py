"""Every runnable part of Effekt, by name: how to build its app, migrate it, run its worker, seed its demo."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

SERVICES = ("goals", "tasks", "metrics")
ROLES = ("gateway", *SERVICES)
DEFAULT_PORTS = {"gateway": 8000, "goals": 8001, "tasks": 8002, "metrics": 8003}
# How long a server keeps an idle keep-alive connection open. Longer than the pools of its clients keep one
# (the gateway's upstream pool 30 s, httpx 5 s): a server that closes first races the client's next request on
# that connection, and a POST that meets the close cannot be retried (the gateway answered such a race with a
# 503 under load). uvicorn's default is 5 s; nginx's 75 s.
KEEP_ALIVE_SECONDS = 75


@dataclass(frozen=True)
class Part:
    name: str
    package: str  # e.g. "services.goals" or "gateway"

    def module(self, room: str):
        return importlib.import_module(f"{self.package}.{room}")

    @property
    def service_dir(self) -> Path:
        return self.module("db").SERVICE_DIR

    def database_url(self) -> str:
        return self.module("config").settings().url()

    def create_app(self):
        if self.name == "gateway":  # the public edge is the gateway with the UI on top
            return importlib.import_module("frontend.app").create_app()
        return self.module("app").create_app()

    def worker_settings(self, redis_url: str) -> dict:
        return self.module("worker").worker_settings(redis_url)


PARTS = {name: Part(name, "gateway" if name == "gateway" else f"services.{name}") for name in ROLES}
