"""What the pages need from the services and the gateway: calls on the browser's behalf, members, field errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlmodel import Session

from gateway import workspaces
from gateway.auth import BrowserContext
from gateway.models import MemberPublic
from gateway.routes import RESOURCES
from kit.errors import BadGateway, Forbidden, NotFound, Problem, Unavailable, field_error, problem_body


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown (`_(message)` in a template)."""
    return message


SERVICE_DOWN = N_("This part of Effekt is not answering right now. Try again in a moment.")
FORM_PROBLEM = N_("Something in the form is not right. Check it and try again.")
DATE_RANGE = N_("Enter a date between 1 January 1900 and 31 December 2200.")
NOT_A_MEMBER = N_("Choose a member of this workspace, or no owner.")


class Said(str):
    """A message id with the values of its placeholders: the field macro translates it, then fills them in."""

    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Said:
        said = super().__new__(cls, msgid)
        said.params = params
        return said


def out_of_range(problem: dict[str, Any]) -> bool:
    """A date the API refused for lying outside the years it takes (kit.fields: 1900 to 2200)."""
    detail = str(problem.get("detail") or "")
    return "1900" in detail or "2200" in detail


class Down(Unavailable):
    """A service did not answer. Pages that can go on without it catch this and say so in words; elsewhere it is
    the 503 error page (in the page's language: no English detail from the connection error)."""

    def __init__(self, service: str):
        super().__init__(None, headers={"Retry-After": "5"})
        self.service = service


@dataclass(frozen=True, slots=True)
class Answer:
    """A service's answer: the status and the decoded JSON body."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def field_errors(self, messages: dict[str, str]) -> dict[str, str]:
        """field → msgid for a 422 problem; a field without a message of its own goes to "" (the whole form)."""
        problems = self.body.get("errors") if isinstance(self.body, dict) else None
        out: dict[str, str] = {}
        for item in problems or [{}]:
            field = str(item.get("field") or "").split(".")[0]
            message = DATE_RANGE if field in messages and out_of_range(item) else messages.get(field, FORM_PROBLEM)
            out[field if field in messages else ""] = message
        return out


def refusal(answer: Answer) -> Problem:
    """The error page for a service's refusal that no form can show beside a field (403, 404, 409, 5xx)."""
    detail = answer.body.get("detail") if isinstance(answer.body, dict) else None
    kind = {403: Forbidden, 404: NotFound}.get(answer.status)
    if kind is not None:
        return kind(detail)
    problem = BadGateway(detail)
    problem.status = answer.status if 400 <= answer.status < 600 else 502
    return problem


def service_of(path: str) -> str:
    """The service that owns /api/v1/<resource>/…, by the gateway's map."""
    prefix, _, rest = path.partition("/api/v1/")
    resource = rest.split("/", 1)[0].split("?", 1)[0]
    service = RESOURCES.get(resource) if not prefix else None
    if service is None:
        raise ValueError(f"No service owns {path!r}.")
    return service


async def call(
    request: Request,
    browser: BrowserContext,
    method: str,
    path: str,
    *,
    params: Any = None,
    payload: Any = None,
) -> Answer:
    """One call, as the signed-in browser, to the service that owns the path's resource; Down when it cannot be
    reached."""
    service = service_of(path)
    if method in ("POST", "PUT", "PATCH") and await _foreign_owner(request, browser, payload):
        return Answer(422, not_a_member())
    try:
        status, body = await request.app.state.upstreams.call(
            service, method, path, browser.principal, params=params, payload=payload
        )
    except Unavailable:
        raise Down(service) from None
    return Answer(status, body)


def not_a_member() -> dict[str, Any]:
    """The problem a service would answer for an owner it cannot check itself (members live in the gateway)."""
    message = "is not a member of this workspace"
    return problem_body(422, "Invalid input", f"owner_id: {message}", errors=[field_error("owner_id", message)])


async def _foreign_owner(request: Request, browser: BrowserContext, payload: Any) -> bool:
    """An owner_id in the body that is no member of the workspace: refused here, beside the form's owner field."""
    owner = payload.get("owner_id") if isinstance(payload, dict) else None
    if not isinstance(owner, int) or isinstance(owner, bool):
        return False
    return owner not in await people(request, browser)


async def get_or_none(request: Request, browser: BrowserContext, path: str, *, params: Any = None) -> Any:
    """The body of a GET that answered 200; None when the service is down or answers anything else."""
    try:
        answer = await call(request, browser, "GET", path, params=params)
    except Down:
        return None
    return answer.body if answer.status == 200 else None


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


# --- people -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    """A workspace member as pages name them."""

    id: int
    name: str
    email: str

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.replace(".", " ").split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"


async def people(request: Request, browser: BrowserContext, workspace_id: int | None = None) -> dict[int, Person]:
    """The workspace's members by user id, in the order a select lists them (by name); the current workspace unless
    the caller names another one it has checked the user belongs to."""
    rows = await request.app.state.run_db(_members, workspace_id or browser.workspace.id)
    found = [Person(m.user_id, m.name or m.email.split("@")[0], m.email) for m in rows]
    return {p.id: p for p in sorted(found, key=lambda p: p.name.lower())}


def _members(session: Session, workspace_id: int) -> list[MemberPublic]:
    return workspaces.members(session=session, workspace_id=workspace_id)


def int_or_none(value: str | None) -> int | None:
    """A form's number field: an int, or None for empty or junk (the service then names what is missing)."""
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None
