"""Each service refuses any API request without a valid, unexpired identity signed by the gateway."""

from __future__ import annotations

import time

import httpx
import pytest

from kit.identity import IDENTITY_HEADER, Principal, sign_identity
from kit.roles import Role
from kit.settings import common

PATHS = {"goals": "/api/v1/surfaces", "tasks": "/api/v1/periods", "metrics": "/api/v1/kpis"}


@pytest.mark.parametrize("service", sorted(PATHS))
def test_service_refuses_unsigned_forged_and_expired_identities(live, account, service):
    url = live.service_urls[service] + PATHS[service]
    key = common().resolved_signing_key()
    principal = Principal(user_id=account.user_id, workspace_id=account.workspace_id, role=Role.admin)
    cases = {
        "unsigned": {},
        "garbage": {IDENTITY_HEADER: "not-a-jwt"},
        "forged": {IDENTITY_HEADER: sign_identity("some-other-key", principal)},
        "expired": {IDENTITY_HEADER: sign_identity(key, principal, ttl=60, now=time.time() - 3600)},
    }
    with httpx.Client(timeout=10) as c:
        for case, headers in cases.items():
            r = c.get(url, headers=headers)
            assert r.status_code == 401, case
            assert r.headers["content-type"].startswith("application/problem+json"), case
        ok = c.get(url, headers={IDENTITY_HEADER: sign_identity(key, principal)})
        assert ok.status_code == 200
        assert c.get(live.service_urls[service] + "/healthz").json()["service"] == service
        assert c.get(live.service_urls[service] + "/readyz").status_code == 200
        assert "effekt_http_requests_total" in c.get(live.service_urls[service] + "/metrics").text
