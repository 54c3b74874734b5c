"""One OpenAPI 3 document: the gateway's own operations merged with every service's."""

from __future__ import annotations

import copy
import json
from typing import Any

REF_PREFIX = "#/components/schemas/"

SECURITY_SCHEMES = {
    "apiToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token (efk_…) created under Settings → API tokens or with "
        "`effekt token create`. It is bound to one workspace and one role.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "effekt_session",
        "description": "The browser session; unsafe methods also need the X-CSRF-Token header.",
    },
}


def merge(gateway_doc: dict[str, Any], service_docs: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """Merge documents; a schema name used by two services with different bodies is prefixed by service."""
    doc = copy.deepcopy(gateway_doc)
    paths = doc.setdefault("paths", {})
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    missing = []
    for service, sdoc in service_docs.items():
        if sdoc is None:
            missing.append(service)
            continue
        renames = {}
        for name, schema in sdoc.get("components", {}).get("schemas", {}).items():
            if name in schemas and _canon(schemas[name]) != _canon(schema):
                renames[name] = f"{service.capitalize()}{name}"
        sdoc = _rename_refs(sdoc, renames) if renames else sdoc
        for name, schema in sdoc.get("components", {}).get("schemas", {}).items():
            if name in renames:  # generators name classes by title: two "RunPublic" titles would clash
                schema = {**schema, "title": renames[name]}
            schemas.setdefault(renames.get(name, name), schema)
        for path, item in sdoc.get("paths", {}).items():
            if path.startswith("/api/"):
                paths[path] = item
    doc["components"]["securitySchemes"] = SECURITY_SCHEMES
    doc["security"] = [{"apiToken": []}, {"session": []}]
    if missing:
        doc.setdefault("info", {})["x-effekt-unavailable"] = missing
    return doc


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(REF_PREFIX):
                name = value[len(REF_PREFIX) :]
                out[key] = REF_PREFIX + renames.get(name, name)
            else:
                out[key] = _rename_refs(value, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node
