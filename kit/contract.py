"""The API contract a generated client can trust, applied to every app's OpenAPI document in one place.

Short camelCase operation ids from the endpoint function's name; one `Problem` schema under
application/problem+json for every error status an operation can give; the headers of conditional and
safe writes (ETag, If-Match, Idempotency-Key, Location, Link, RateLimit-*) documented where they apply.
No route has to remember any of it: a new resource is born with it."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from kit.errors import PROBLEM_MEDIA_TYPE

REF = "#/components/schemas/"
PROBLEM_REF = {"$ref": REF + "Problem"}
WRITES = ("put", "patch", "delete")
METHODS = ("get", "put", "post", "patch", "delete")

FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "FieldError",
    "description": "One invalid field of a request: its dotted path, a JSON pointer to it, and what is wrong.",
    "type": "object",
    "required": ["field", "pointer", "detail"],
    "properties": {
        "field": {"type": "string", "description": "Dotted path of the field, e.g. `targets.0.value`"},
        "pointer": {"type": "string", "description": "RFC 6901 JSON pointer to the field, e.g. `/targets/0/value`"},
        "detail": {"type": "string", "description": "What is wrong with it"},
    },
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem detail: every error of the API has this shape.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem"},
        "title": {"type": "string", "description": "A short summary of the kind of problem"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status"},
        "detail": {"type": "string", "description": "What went wrong this time, for a person to read"},
        "instance": {"type": "string", "description": "The path of the request that failed"},
        "errors": {
            "type": "array",
            "items": {"$ref": REF + "FieldError"},
            "description": "Each invalid field (422), when the problem is about the input",
        },
    },
}

ERROR_TEXT = {
    400: "The request is malformed (e.g. a bad Idempotency-Key)",
    401: "No valid API token or session",
    403: "The caller's role does not allow this",
    404: "No such record in the caller's workspace",
    409: "The request conflicts with the current state",
    412: "If-Match does not match the record's current ETag",
    413: "The request body is too large",
    422: "Invalid input; `errors[]` names each field",
    429: "Too many requests for this token; see Retry-After",
    503: "A service is unavailable; retry after Retry-After seconds",
}
TEXT_BODIES = {"text/csv": "CSV (UTF-8): a header row, then one row per record"}
ALWAYS = (400, 401, 403, 422, 429, 503)

HEADERS = {
    "ETag": {"description": "The version of the representation; send it back in If-Match to write safely"},
    "Location": {"description": "The URL of the created record"},
    "Link": {"description": 'The next page, as `<url>; rel="next"`, when there is one'},
    "Retry-After": {"description": "Seconds to wait before trying again"},
    "RateLimit-Limit": {"description": "Requests allowed per window for this token"},
    "RateLimit-Remaining": {"description": "Requests left in the current window"},
    "RateLimit-Reset": {"description": "Seconds until the window resets"},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "Write only if the record's current ETag is this one (or `*`); else 412.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[ -~]{1,200}$"},  # printable ASCII
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A unique key per intended create: the same key with the same body within 24 hours answers "
    "the first answer again; with another body it is a 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[\\x21-\\x7e]+$"},
}


def operation_id(route: APIRoute) -> str:
    """`list_surfaces` → `listSurfaces`: the endpoint's own name, stable and readable (FastAPI's
    `generate_unique_id_function`). A clash between two endpoints is caught by the contract test."""
    head, *rest = route.name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def install(app: FastAPI) -> None:
    """Make the app's /openapi.json follow the contract."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish(plain())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def finish(doc: dict[str, Any]) -> dict[str, Any]:
    """Apply the contract to a document in place (idempotent) and return it."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["FieldError"] = FIELD_ERROR_SCHEMA
    for name, schema in schemas.items():
        schema.setdefault("description", _describe(name))
        for prop in schema.get("properties", {}).values():
            if prop.get("contentMediaType") == "application/octet-stream":
                prop.setdefault("format", "binary")  # OpenAPI 3.0 tools (generators) know only this spelling
    for path, item in doc.get("paths", {}).items():
        if path.startswith("/api/"):
            for method in METHODS:
                if method in item:
                    _operation(path, method, item[method], schemas)
    return doc


def _describe(name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").strip()
    return f"{words[:1].upper()}{words[1:].lower()}."


def _operation(path: str, method: str, op: dict[str, Any], schemas: dict[str, Any]) -> None:
    op.setdefault("description", op.get("summary") or op.get("operationId", ""))
    responses = op.setdefault("responses", {})
    statuses = set(ALWAYS) | {int(s) for s in responses if s.isdigit() and int(s) >= 400}
    if "{" in path:
        statuses.add(404)
    if method in WRITES:
        statuses.add(412)
    for status in sorted(statuses):
        response = responses.setdefault(str(status), {})
        if response.get("description") in (None, "", "Validation Error"):
            response["description"] = ERROR_TEXT.get(status, "Error")
        response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
        if status in (429, 503):
            _headers(response, "Retry-After")
    for status, response in responses.items():
        for media, body in (response.get("content") or {}).items():
            if media.startswith("text/") and not body.get("schema"):
                body["schema"] = {"type": "string", "description": TEXT_BODIES.get(media, "Text")}
        if status.startswith("2"):
            _success_headers(method, status, response, schemas)
        _headers(response, "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
    params = op.setdefault("parameters", [])
    for param in params:
        schema = param.get("schema", {})
        if "$ref" in schema and isinstance(schema.get("default"), bool):  # `archived: ArchivedQuery = False`
            schema["default"] = str(schema["default"]).lower()  # the enum's own spelling
    if method in WRITES:
        _param(params, IF_MATCH)
    if method == "post":
        _param(params, IDEMPOTENCY_KEY)


def _success_headers(method: str, status: str, response: dict[str, Any], schemas: dict[str, Any]) -> None:
    content = response.get("content") or {}
    if "application/json" in content and method in ("get", "put", "patch", "post"):
        _headers(response, "ETag")
        ref = content["application/json"].get("schema", {}).get("$ref", "")
        if "next" in schemas.get(ref.removeprefix(REF), {}).get("properties", {}):
            _headers(response, "Link")
    if status == "201":
        _headers(response, "Location")


def _headers(response: dict[str, Any], *names: str) -> None:
    headers = response.setdefault("headers", {})
    for name in names:
        headers.setdefault(name, {**HEADERS[name], "schema": {"type": "string"}})


def _param(params: list[dict[str, Any]], param: dict[str, Any]) -> None:
    if not any(p.get("name", "").lower() == param["name"].lower() and p.get("in") == "header" for p in params):
        params.append(dict(param))
