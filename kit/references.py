"""Ids in a request body that another service owns: each is asked of its owner before it is stored.

A body may name a user (`owner_id`), a surface of the goals service (`surface_id`), … By the architecture a
service never reads another's tables: it asks the owner over the gateway's internal route, as the same caller,
so the owner answers only for the caller's workspace. A 404 there is a 422 here naming the field; an owner that
cannot answer is a 503 (nothing is stored on a guess).

    references.verify(request, data, owner_id=references.MEMBER, surface_id=SURFACE)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kit.errors import Invalid, Unavailable, field_error


@dataclass(frozen=True, slots=True)
class Reference:
    """Where the owner of an id answers: GET /internal/<service><path with {id}>, 200 if the caller's."""

    service: str
    path: str
    label: str

    def exists(self, request: Any, record_id: int) -> bool:
        client = request.app.state.internal
        if client is None:
            raise Unavailable(f"The {self.service} service cannot be asked: no internal client is configured.")
        status, _ = client.get(request, self.service, self.path.format(id=record_id))
        if status == 200:
            return True
        if status == 404:
            return False
        raise Unavailable(f"The {self.service} service could not check the {self.label} ({status}).")


# The gateway owns users and memberships; it answers for members of the caller's workspace.
MEMBER = Reference("gateway", "/members/{id}", "member of this workspace")


def verify(request: Any, data: Any, **references: Reference) -> None:
    """Check every named field that `data` sets to an id; all unknown ones are named in one 422.

    `data` is a pydantic model (only fields set, and not null, are asked about) or a dict."""
    values = data.model_dump(exclude_unset=True) if hasattr(data, "model_dump") else dict(data)
    errors = []
    for field, reference in references.items():
        record_id = values.get(field)
        if isinstance(record_id, int) and not reference.exists(request, record_id):
            errors.append(field_error(field, f"no {reference.label} with id {record_id}"))
    if errors:
        raise Invalid("; ".join(f"{e['field']}: {e['detail']}" for e in errors), errors=errors)
