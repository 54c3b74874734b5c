"""One error shape everywhere: RFC 9457 problem details (application/problem+json).

Plain exceptions that rule modules raise; kit.problems renders them for FastAPI."""

from __future__ import annotations

from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://effekt.dev/problems/"


class Problem(Exception):
    """An error the caller can act on; rendered as problem+json."""

    status = 500
    title = "Internal error"
    slug = "internal"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors or []
        self.headers = headers
        if title:
            self.title = title


class BadRequest(Problem):
    status, title, slug = 400, "Bad request", "bad-request"


class Unauthorized(Problem):
    status, title, slug = 401, "Not authenticated", "unauthorized"


class Forbidden(Problem):
    status, title, slug = 403, "Not allowed", "forbidden"


class NotFound(Problem):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(Problem):
    status, title, slug = 409, "Conflict", "conflict"


class Invalid(Problem):
    status, title, slug = 422, "Invalid input", "invalid"

    @classmethod
    def field(cls, field: str, message: str) -> Invalid:
        """A 422 that names one field."""
        return cls(f"{field}: {message}", errors=[field_error(field, message)])


class TooLarge(Problem):
    status, title, slug = 413, "Too large", "too-large"


class RateLimited(Problem):
    status, title, slug = 429, "Too many requests", "rate-limited"


class BadGateway(Problem):
    status, title, slug = 502, "Upstream service failed", "bad-gateway"


class Unavailable(Problem):
    status, title, slug = 503, "Service unavailable", "unavailable"


def field_error(field: str, message: str) -> dict[str, Any]:
    """One entry of errors[]: a dotted field path, a JSON pointer and a message."""
    return {"field": field, "pointer": "/" + field.replace(".", "/"), "detail": message}


def problem_body(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    slug: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": TYPE_BASE + (slug or str(status)), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body
