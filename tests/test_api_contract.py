"""The merged OpenAPI document keeps the contract a generated client relies on (ARCHITECTURE.md, 11)."""

from __future__ import annotations

import re
import time

import pytest

from kit.contract import ALWAYS

ID_RE = re.compile(r"^[a-z][a-zA-Z0-9]{2,40}$")
ENUM_FIELDS = {"status", "direction", "category", "unit", "aggregation", "cadence", "kind", "role", "level"}
# Fields with an enum-like name that are free text by design, each named so a new one is a deliberate choice:
# a workflow step's `role` is the key of a role its own template defines ("seo", "editor"), not an access role.
FREE_TEXT_FIELDS = {("StepSpec", "role"), ("PreviewStep", "role"), ("StepStats", "role")}
METHODS = ("get", "put", "post", "patch", "delete")


def complete_document(live) -> dict:
    """The merged document once every service has given its part (a busy machine may be slow to at first)."""
    deadline = time.monotonic() + 90
    with live.client() as c:
        while True:
            r = c.get("/api/openapi.json")
            assert r.status_code == 200
            doc = r.json()
            if "x-effekt-unavailable" not in doc["info"] or time.monotonic() > deadline:
                assert "x-effekt-unavailable" not in doc["info"], doc["info"]
                return doc
            time.sleep(1)


@pytest.fixture(scope="module")
def doc(live):
    return complete_document(live)


def operations(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_every_operation_has_a_short_unique_explicit_id_and_a_description(doc):
    ids = [op.get("operationId", "") for _, _, op in operations(doc)]
    assert len(ids) >= 60
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)
    assert [i for i in ids if not ID_RE.match(i)] == []
    for path, method, op in operations(doc):
        assert op.get("description", "").strip(), f"{method} {path}"
    for name, schema in doc["components"]["schemas"].items():
        assert schema.get("description", "").strip(), name


def test_every_error_is_one_problem_schema_under_problem_json(doc):
    schemas = doc["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert schemas["Problem"]["required"] == ["type", "title", "status"]
    for path, method, op in operations(doc):
        errors = {int(s) for s in op["responses"] if int(s) >= 400}
        assert set(ALWAYS) <= errors, f"{method} {path}"
        if "{" in path:
            assert 404 in errors, f"{method} {path}"
        if method in ("put", "patch", "delete"):
            assert 412 in errors, f"{method} {path}"
        for status in errors:
            content = op["responses"][str(status)]["content"]
            assert list(content) == ["application/problem+json"], f"{method} {path} {status}"
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_safe_write_headers_are_documented(doc):
    for path, method, op in operations(doc):
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}
        if method in ("put", "patch", "delete"):
            assert "If-Match" in names, f"{method} {path}"
        if method == "post":
            assert "Idempotency-Key" in names, f"{method} {path}"
        if "201" in op["responses"]:
            assert "Location" in op["responses"]["201"]["headers"], f"{method} {path}"
        assert "Retry-After" in op["responses"]["429"]["headers"]


def _properties(schema):
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _properties(sub)
    yield schema


def test_enums_are_refs_lists_have_next_and_nullable_is_honest(doc):
    schemas = doc["components"]["schemas"]
    for name, schema in schemas.items():
        for field, prop in schema.get("properties", {}).items():
            if field in ENUM_FIELDS and prop.get("type") != "integer" and (name, field) not in FREE_TEXT_FIELDS:
                kinds = list(_properties(prop))
                assert any("$ref" in k or "enum" in k for k in kinds), f"{name}.{field} is a plain string"
        if {"data", "count", "limit", "offset"} <= set(schema.get("properties", {})) and name.endswith("List"):
            if "limit" in schema.get("required", []):
                assert "next" in schema["properties"], name
