"""Every kind of connector, each built to its vendor's documented API; `spec(kind)` finds one."""

from __future__ import annotations

from services.metrics.connectors.kinds import matomo, plausible
from services.metrics.connectors.kinds.base import KindSpec

KINDS: dict[str, KindSpec] = {module.SPEC.kind: module.SPEC for module in (plausible, matomo)}


def spec(kind: str) -> KindSpec:
    """The kind's spec; KeyError for a kind not built here."""
    return KINDS[str(kind)]
