"""Every kind of connector, each built to its vendor's documented API; `spec(kind)` finds one."""

from __future__ import annotations

from services.metrics.connectors.kinds import (
    ga4,
    generic,
    hubspot,
    jira,
    mailchimp,
    matomo,
    plausible,
    search_console,
    zendesk,
)
from services.metrics.connectors.kinds.base import KindSpec

SPECS = (
    plausible.SPEC,
    matomo.SPEC,
    ga4.SPEC,
    search_console.SPEC,
    mailchimp.SPEC,
    jira.SPEC,
    zendesk.SPEC,
    hubspot.SPEC,
    generic.JSON,
    generic.CSV,
)
KINDS: dict[str, KindSpec] = {s.kind: s for s in SPECS}


def spec(kind: str) -> KindSpec:
    """The kind's spec; KeyError for a kind not built here."""
    return KINDS[str(kind)]
