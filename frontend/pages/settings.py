"""Settings: the workspace (name, time zone) and its members; plus what every settings page shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from babel import Locale
from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlmodel import Session

from frontend import i18n
from frontend.backend import N_
from frontend.deps import WorkspaceDep
from frontend.pages.auth import see_other
from frontend.templating import render
from gateway import workspaces
from gateway.auth import BrowserContext
from kit.errors import Conflict, Forbidden, Invalid, Problem
from kit.roles import Role

router = APIRouter()


# Translators: role names, shown in badges and mid-sentence ("You are signed in as owner."), in lower case.
# Templates translate them with _(role.value); marking them here is what puts them in the catalogs.
ROLE_LABELS = {Role.viewer: N_("viewer"), Role.editor: N_("editor"), Role.admin: N_("admin"), Role.owner: N_("owner")}
ROLES = tuple(ROLE_LABELS)

# Time zones offered first; a workspace keeps any other zone it already has.
COMMON_ZONES = {
    "Europe/Oslo": "NO",
    "Europe/Stockholm": "SE",
    "Europe/Helsinki": "FI",
    "Europe/Copenhagen": "DK",
    "Atlantic/Reykjavik": "IS",
    "Europe/London": "GB",
    "UTC": None,
}
FORM_PROBLEM = N_("Something in the form is not right. Check it and try again.")


# --- shared by the settings pages -------------------------------------------------------------------------


def language(request: Request, browser: BrowserContext) -> str:
    return i18n.pick_language(request, browser.user.locale)


def gettext_for(request: Request, browser: BrowserContext) -> Callable[[str], str]:
    """gettext in the caller's language, for messages made in Python (e.g. the detail of a 403 page)."""
    return i18n.translations(language(request, browser)).gettext


def require_admin(request: Request, browser: BrowserContext) -> None:
    if not browser.role.at_least(Role.admin):
        _ = gettext_for(request, browser)
        raise Forbidden(_("Only admins and owners can change this."))


def form_errors(exc: Exception, messages: dict[str, str]) -> dict[str, str]:
    """Field → message (a msgid, translated in the template) for a rejected form; "" is the form as a whole."""
    if isinstance(exc, ValidationError):
        fields = [str(e["loc"][0]) if e.get("loc") else "" for e in exc.errors()]
    elif isinstance(exc, Problem):
        fields = [e.get("field", "") for e in exc.errors] or [""]
    else:
        raise TypeError(exc)
    out: dict[str, str] = {}
    for field in fields:
        out[field if field in messages else ""] = messages.get(field, FORM_PROBLEM)
    return out


def zone_choices(lang: str, current: str | None = None) -> list[tuple[str, str]]:
    """(zone, label) for the time-zone select: the common zones, named by country, and the current one."""
    territories = Locale.parse(lang).territories
    zones = list(COMMON_ZONES)
    if current and current not in COMMON_ZONES:
        zones.insert(0, current)
    return [(z, f"{territories[c]} ({z})" if (c := COMMON_ZONES.get(z)) else z) for z in zones]


def grantable(role: Role) -> list[Role]:
    """The roles this member may give others: admins up to admin, owners any."""
    return [r for r in ROLES if r != Role.owner or role == Role.owner]


# --- workspace -------------------------------------------------------------------------------------------

WORKSPACE_ERRORS = {
    "name": N_("Enter a name (at most 200 characters)."),
    "timezone": N_("Choose a time zone from the list."),
}


@router.get("/settings/workspace")
async def workspace_page(request: Request, browser: WorkspaceDep):
    ws = browser.workspace
    return _workspace(request, browser, {"name": ws.name, "timezone": ws.timezone})


@router.post("/settings/workspace")
async def save_workspace(
    request: Request,
    browser: WorkspaceDep,
    name: Annotated[str, Form(max_length=400)] = "",
    timezone: Annotated[str, Form(max_length=64)] = "",
):
    require_admin(request, browser)
    form = {"name": name, "timezone": timezone}
    try:
        saved = await request.app.state.run_db(
            lambda s: workspaces.update_workspace(
                session=s, workspace_id=browser.workspace.id, name=name, timezone=timezone
            )
        )
    except ValidationError as exc:
        return _workspace(request, browser, form, errors=form_errors(exc, WORKSPACE_ERRORS), status=422)
    # The page (and the top bar, on a full render) shows the new name at once.
    browser.workspace.name, browser.workspace.timezone = saved.name, saved.timezone
    return _workspace(request, browser, {"name": saved.name, "timezone": saved.timezone}, saved=True)


def _workspace(
    request: Request,
    browser: BrowserContext,
    form: dict[str, str],
    *,
    errors: dict | None = None,
    saved: bool = False,
    status: int = 200,
):
    lang = language(request, browser)
    return render(
        request,
        "settings_workspace.html",
        {
            "nav": "settings",
            "section": "workspace",
            "form": form,
            "errors": errors or {},
            "saved": saved,
            "zones": zone_choices(lang, browser.workspace.timezone),
            "can_edit": browser.role.at_least(Role.admin),
        },
        status=status,
    )


# --- members ---------------------------------------------------------------------------------------------

ADD_ERRORS = {
    "email": N_("Enter a valid email address."),
    "name": N_("Use at most 200 characters."),
    "role": N_("Choose a role."),
}
ALREADY_MEMBER = N_("This person is already a member of the workspace.")
LAST_OWNER = N_("The workspace needs at least one owner. Make someone else an owner first.")


@router.get("/settings/members")
async def members_page(request: Request, browser: WorkspaceDep):
    return await _members(request, browser)


@router.post("/settings/members")
async def add_member(
    request: Request,
    browser: WorkspaceDep,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    role: Annotated[Role, Form()] = Role.editor,
):
    require_admin(request, browser)
    form = {"email": email, "name": name, "role": role}
    if not email.strip():
        return await _members(request, browser, form=form, errors={"email": ADD_ERRORS["email"]}, status=422)
    try:
        member, temporary = await request.app.state.run_db(
            lambda s: workspaces.add_member(
                session=s,
                workspace_id=browser.workspace.id,
                actor_role=browser.role,
                email=email,
                role=role,
                name=name.strip(),
            )
        )
    except ValidationError as exc:
        return await _members(request, browser, form=form, errors=form_errors(exc, ADD_ERRORS), status=422)
    except Conflict:
        return await _members(request, browser, form=form, errors={"email": ALREADY_MEMBER}, status=422)
    return await _members(request, browser, added=member, temporary=temporary)


@router.post("/settings/members/{user_id}/role")
async def change_role(request: Request, browser: WorkspaceDep, user_id: int, role: Annotated[Role, Form()]):
    require_admin(request, browser)
    try:
        await request.app.state.run_db(
            lambda s: workspaces.change_role(
                session=s, workspace_id=browser.workspace.id, actor_role=browser.role, user_id=user_id, role=role
            )
        )
    except Invalid:
        return await _members(request, browser, row_errors={user_id: LAST_OWNER}, status=422)
    if user_id == browser.user.id:
        return see_other(request, "/settings/members")  # my own role changed: what I may do here changed too
    return await _members(request, browser, changed=user_id)


@router.post("/settings/members/{user_id}/remove")
async def remove_member(request: Request, browser: WorkspaceDep, user_id: int):
    require_admin(request, browser)
    try:
        await request.app.state.run_db(
            lambda s: workspaces.remove_member(
                session=s, workspace_id=browser.workspace.id, actor_role=browser.role, user_id=user_id
            )
        )
    except Invalid:
        return await _members(request, browser, row_errors={user_id: LAST_OWNER}, status=422)
    if user_id == browser.user.id:
        return see_other(request, "/")  # I left the workspace
    return await _members(request, browser, removed=True)


async def _members(
    request: Request,
    browser: BrowserContext,
    *,
    form: dict[str, Any] | None = None,
    errors: dict | None = None,
    row_errors: dict | None = None,
    status: int = 200,
    **notice: Any,
):
    people = await request.app.state.run_db(_member_rows, browser.workspace.id)
    return render(
        request,
        "settings_members.html",
        {
            "nav": "settings",
            "section": "members",
            "members": people,
            "me": browser.user.id,
            "can_manage": browser.role.at_least(Role.admin),
            "roles": grantable(browser.role),
            "is_owner": browser.role == Role.owner,
            "form": form or {"email": "", "name": "", "role": Role.editor},
            "errors": errors or {},
            "row_errors": row_errors or {},
            **notice,
        },
        status=status,
        headers={"Cache-Control": "no-store"} if notice.get("temporary") else None,
    )


def _member_rows(session: Session, workspace_id: int):
    return workspaces.members(session=session, workspace_id=workspace_id)
