"""Google's service-account sign-in, shared by GA4 and Search Console.

The key file a person downloads (IAM > Service accounts > Keys > Add key > JSON) holds `client_email` and
`private_key`. A JWT signed with it (RS256; iss the account, scope, aud the token URL) is exchanged at the token
URL (a setting) for an access token (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`), kept for the run."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt

from services.metrics.connectors.http import Vendor, VendorError
from services.metrics.connectors.kinds.base import Source

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
KEY_HELP = (
    "In Google Cloud: IAM & Admin > Service accounts > (the account) > Keys > Add key > Create new key > JSON; "
    "paste the whole file"
)


def _key(source: Source, label: str) -> dict[str, Any]:
    try:
        key = json.loads(source.secrets.get("service_account_json", ""))
    except ValueError:
        raise VendorError(f"{label}: the service account key is not the JSON file Google gave") from None
    if not isinstance(key, dict) or not key.get("client_email") or not key.get("private_key"):
        raise VendorError(f"{label}: the service account key lacks client_email or private_key")
    return key


async def access_token(vendor: Vendor, source: Source, scope: str) -> str:
    """An access token for the scope, fetched once per run."""
    if "google_token" in source.cache:
        return source.cache["google_token"]
    key = _key(source, vendor.label)
    now = int(time.time())
    claims = {"iss": key["client_email"], "scope": scope, "aud": source.token_url, "iat": now, "exp": now + 3600}
    try:
        assertion = jwt.encode(
            claims, key["private_key"], algorithm="RS256", headers={"kid": key.get("private_key_id")}
        )
    except (ValueError, TypeError, jwt.PyJWTError):
        raise VendorError(f"{vendor.label}: the service account's private_key is not a usable RSA key") from None
    answer = await vendor.json("POST", source.token_url, data={"grant_type": GRANT, "assertion": assertion})
    token = answer.get("access_token") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not token:
        raise VendorError(f"{vendor.label}: Google's token service answered without an access token")
    source.cache["google_token"] = token
    return token


async def headers(vendor: Vendor, source: Source, scope: str) -> dict[str, str]:
    return {"authorization": f"Bearer {await access_token(vendor, source, scope)}"}
