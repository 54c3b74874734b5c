"""API tokens of the workspace: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from fastapi import APIRouter, Form, Request
from pydantic import ValidationError

from frontend.backend import N_
from frontend.deps import WorkspaceDep
from frontend.pages.settings import ROLES, form_errors, gettext_for, language
from frontend.templating import render
from gateway import tokens
from gateway.auth import BrowserContext
from gateway.models import ApiTokenCreate, ApiTokenPublic, utcnow
from kit.dates import as_utc
from kit.errors import Forbidden, Invalid
from kit.roles import Role

router = APIRouter()

TOKEN_ERRORS = {
    "name": N_("Give the token a name of at most 100 characters."),
    "role": N_("Choose one of the roles in the list."),
    "expires_at": N_("Choose a date after today, or leave the field empty."),
}
NOT_A_DATE = N_("Enter the date as year-month-day, or leave the field empty.")
REVOKE_DENIED = N_("Only the person who created a token, or an admin, can revoke it.")


@dataclass(frozen=True, slots=True)
class TokenRow:
    """One token as the list shows it."""

    token: ApiTokenPublic
    status: str  # active, expired or revoked
    created: str
    expires: str | None
    last_used: str | None


@router.get("/settings/tokens")
async def tokens_page(request: Request, browser: WorkspaceDep):
    return await _tokens(request, browser)


@router.post("/settings/tokens")
async def create_token(
    request: Request,
    browser: WorkspaceDep,
    name: Annotated[str, Form(max_length=400)] = "",
    role: Annotated[Role, Form()] = Role.viewer,
    expires: Annotated[str, Form(max_length=20)] = "",
):
    form = {"name": name, "role": role, "expires": expires}
    if role not in _offered_roles(browser):
        return await _tokens(request, browser, form=form, errors={"role": TOKEN_ERRORS["role"]}, status=422)
    try:
        expires_at = _expiry(expires, browser.workspace.timezone)
    except ValueError:
        return await _tokens(request, browser, form=form, errors={"expires_at": NOT_A_DATE}, status=422)
    try:
        data = ApiTokenCreate(name=name, role=role, expires_at=expires_at)
        token, raw = await request.app.state.run_db(
            lambda s: tokens.create_token(
                session=s,
                workspace_id=browser.workspace.id,
                user_id=browser.user.id,
                creator_role=browser.role,
                data=data,
            )
        )
    except (ValidationError, Invalid) as exc:
        return await _tokens(request, browser, form=form, errors=form_errors(exc, TOKEN_ERRORS), status=422)
    return await _tokens(request, browser, created=token, raw=raw)


@router.post("/settings/tokens/{token_id}/revoke")
async def revoke_token(request: Request, browser: WorkspaceDep, token_id: int):
    try:
        await request.app.state.run_db(
            lambda s: tokens.revoke_token(
                session=s,
                workspace_id=browser.workspace.id,
                token_id=token_id,
                actor_id=browser.user.id,
                actor_role=browser.role,
            )
        )
    except Forbidden:
        raise Forbidden(gettext_for(request, browser)(REVOKE_DENIED)) from None
    request.app.state.auth.forget_tokens()
    return await _tokens(request, browser, revoked=token_id)


def _expiry(value: str, zone: str) -> datetime | None:
    """The start of the chosen day in the workspace's time zone; the service checks it is in the future."""
    if not value.strip():
        return None
    return datetime.combine(date.fromisoformat(value.strip()), time(0), ZoneInfo(zone))


async def _tokens(
    request: Request,
    browser: BrowserContext,
    *,
    form: dict[str, Any] | None = None,
    errors: dict | None = None,
    status: int = 200,
    **notice: Any,
):
    is_admin = browser.role.at_least(Role.admin)
    found = await request.app.state.run_db(
        lambda s: tokens.list_tokens(
            session=s, workspace_id=browser.workspace.id, user_id=None if is_admin else browser.user.id
        )
    )
    lang = language(request, browser)
    rows = [_row(t, lang, browser.workspace.timezone) for t in found]
    return render(
        request,
        "settings_tokens.html",
        {
            "nav": "settings",
            "section": "tokens",
            "rows": rows,
            "is_admin": is_admin,
            "roles": _offered_roles(browser),
            "form": form or {"name": "", "role": Role.viewer, "expires": ""},
            "errors": errors or {},
            "min_expiry": datetime.now(ZoneInfo(browser.workspace.timezone)).date() + timedelta(days=1),
            **notice,
        },
        status=status,
        headers={"Cache-Control": "no-store"} if notice.get("raw") else None,
    )


def _offered_roles(browser: BrowserContext) -> list[Role]:
    """Roles up to the caller's own, but never owner: a token that can make owners is too much power for a script."""
    return [r for r in ROLES if r != Role.owner and browser.role.at_least(r)]


def _row(token: ApiTokenPublic, lang: str, zone: str) -> TokenRow:
    tz = ZoneInfo(zone)
    now = utcnow()
    if token.revoked_at is not None:
        status = "revoked"
    elif token.expires_at is not None and as_utc(token.expires_at) <= now:
        status = "expired"
    else:
        status = "active"

    def day(moment: datetime | None) -> str | None:
        return format_date(as_utc(moment).astimezone(tz), "medium", locale=lang) if moment else None

    last = (
        format_datetime(as_utc(token.last_used_at).astimezone(tz), "short", locale=lang) if token.last_used_at else None
    )
    return TokenRow(
        token=token, status=status, created=day(token.created_at), expires=day(token.expires_at), last_used=last
    )
