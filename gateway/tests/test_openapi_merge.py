from gateway.openapi import merge

GATEWAY = {
    "openapi": "3.1.0",
    "info": {"title": "Effekt API"},
    "paths": {"/api/v1/me": {"get": {}}},
    "components": {"schemas": {"Problem": {"type": "object", "title": "P"}}},
}


def service_doc(schema_body):
    return {
        "paths": {
            "/api/v1/x": {
                "get": {
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
                    }
                }
            },
            "/healthz": {"get": {}},
        },
        "components": {"schemas": {"Problem": schema_body, "Thing": {"type": "object"}}},
    }


def test_paths_and_schemas_are_merged_and_private_paths_left_out():
    doc = merge(GATEWAY, {"goals": service_doc({"type": "object", "title": "P"})})
    assert set(doc["paths"]) == {"/api/v1/me", "/api/v1/x"}
    assert set(doc["components"]["schemas"]) == {"Problem", "Thing"}
    assert doc["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_conflicting_schema_names_are_prefixed_and_refs_rewritten():
    doc = merge(GATEWAY, {"metrics": service_doc({"type": "string"})})
    assert "MetricsProblem" in doc["components"]["schemas"]
    assert doc["components"]["schemas"]["Problem"] == {"type": "object", "title": "P"}
    ref = doc["paths"]["/api/v1/x"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/MetricsProblem"


def test_a_missing_service_is_named():
    doc = merge(GATEWAY, {"goals": None})
    assert doc["info"]["x-effekt-unavailable"] == ["goals"]
