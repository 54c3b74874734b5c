"""The public edge: identity, workspaces, API tokens, routing to services, one OpenAPI."""
