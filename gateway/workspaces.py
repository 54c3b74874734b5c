"""Workspaces, members and roles. Admins manage members; only owners make or unmake owners."""

from __future__ import annotations

import re
import secrets
import unicodedata

from sqlalchemy import func
from sqlmodel import Session, select

from gateway import accounts
from gateway.models import MemberPublic, Membership, User, UserCreate, UserSession, Workspace, WorkspaceCreate
from kit.errors import Conflict, Forbidden, Invalid, NotFound, field_error
from kit.roles import Role


def slugify(text: str) -> str:
    """A URL-safe slug from a name: 'Fjord Café AS' → 'fjord-cafe-as'."""
    ascii_ = (
        unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "o").replace("æ", "ae").replace("Æ", "ae"))
        .encode("ascii", "ignore")
        .decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:48].strip("-")
    return slug or "workspace"


def create_workspace(*, session: Session, data: WorkspaceCreate, owner: User) -> Workspace:
    """Create a workspace with `owner` as its first owner."""
    slug = data.slug or _free_slug(session, slugify(data.name))
    if session.exec(select(Workspace.id).where(Workspace.slug == slug)).first():
        raise Conflict("That slug is taken.", errors=[field_error("slug", "already taken")])
    workspace = Workspace(name=data.name, slug=slug, timezone=data.timezone, country=data.country)
    session.add(workspace)
    session.flush()
    session.add(Membership(workspace_id=workspace.id, user_id=owner.id, role=Role.owner))
    session.flush()
    return workspace


def create_current_workspace(*, session: Session, data: WorkspaceCreate, user_id: int, session_id: int) -> Workspace:
    """Create a workspace owned by the user and make it the current one of their browser session."""
    workspace = create_workspace(session=session, data=data, owner=session.get(User, user_id))
    set_current(session=session, session_id=session_id, workspace_id=workspace.id)
    return workspace


def switch_workspace(*, session: Session, session_id: int, user_id: int, slug: str) -> Workspace:
    """Make another of the user's workspaces the session's current one; a slug not theirs is NotFound."""
    workspace, _ = workspace_for_user(session=session, user_id=user_id, slug=slug)
    set_current(session=session, session_id=session_id, workspace_id=workspace.id)
    return workspace


def open_session(*, session: Session, user: User, days: int) -> str:
    """Open a browser session in the user's first workspace (none yet is fine); returns the raw cookie value."""
    mine = workspaces_of(session=session, user_id=user.id)
    return accounts.start_session(session=session, user=user, workspace_id=mine[0][0].id if mine else None, days=days)


def set_current(*, session: Session, session_id: int, workspace_id: int) -> None:
    """The browser session now works in this workspace."""
    row = session.get(UserSession, session_id)
    row.workspace_id = workspace_id
    session.add(row)


def _free_slug(session: Session, base: str) -> str:
    taken = set(session.exec(select(Workspace.slug).where(Workspace.slug.startswith(base))).all())
    if base not in taken:
        return base
    n = 2
    while f"{base[:44]}-{n}" in taken:
        n += 1
    return f"{base[:44]}-{n}"


def update_workspace(*, session: Session, workspace_id: int, name: str, timezone: str) -> Workspace:
    """Rename the workspace or change its time zone."""
    data = WorkspaceCreate(name=name, timezone=timezone)
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise NotFound("No such workspace.")
    workspace.name, workspace.timezone = data.name, data.timezone
    session.add(workspace)
    return workspace


def workspaces_of(*, session: Session, user_id: int) -> list[tuple[Workspace, Role]]:
    """Every workspace the user belongs to, with the user's role there, by name."""
    rows = session.exec(
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user_id)
        .order_by(Workspace.name)
    ).all()
    return [(w, Role(r)) for w, r in rows]


def membership(*, session: Session, user_id: int, workspace_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.workspace_id == workspace_id)
    ).first()


def workspace_for_user(*, session: Session, user_id: int, slug: str) -> tuple[Workspace, Role]:
    """The workspace with this slug if the user is a member; NotFound otherwise (as if it did not exist)."""
    row = session.exec(
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Workspace.slug == slug, Membership.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound(f"No workspace {slug!r}.")
    return row[0], Role(row[1])


def members(*, session: Session, workspace_id: int) -> list[MemberPublic]:
    """The workspace's members, owners first, then by email."""
    rows = session.exec(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == workspace_id)
    ).all()
    out = [MemberPublic(user_id=u.id, email=u.email, name=u.name, role=Role(m.role)) for m, u in rows]
    return sorted(out, key=lambda m: (-m.role.rank, m.email))


def add_member(
    *, session: Session, workspace_id: int, actor_role: Role, email: str, role: Role, name: str = ""
) -> tuple[MemberPublic, str | None]:
    """Add a member by email. A new account gets a one-time password, returned for the admin to pass on."""
    _check_grant(actor_role, role)
    email = accounts.normalise_email(email)
    user = accounts.get_user_by_email(session=session, email=email)
    temporary = None
    if user is None:
        temporary = secrets.token_urlsafe(12)
        user = accounts.create_user(session=session, data=UserCreate(email=email, name=name, password=temporary))
    elif membership(session=session, user_id=user.id, workspace_id=workspace_id):
        raise Conflict(f"{email} is already a member.", errors=[field_error("email", "already a member")])
    session.add(Membership(workspace_id=workspace_id, user_id=user.id, role=role))
    session.flush()
    return MemberPublic(user_id=user.id, email=user.email, name=user.name, role=role), temporary


def change_role(*, session: Session, workspace_id: int, actor_role: Role, user_id: int, role: Role) -> Membership:
    """Give a member another role; the last owner keeps theirs."""
    member = _member(session, workspace_id, user_id)
    _check_grant(actor_role, role)
    _check_grant(actor_role, Role(member.role))
    if Role(member.role) == Role.owner and role != Role.owner:
        _keep_an_owner(session, workspace_id)
    member.role = role
    session.add(member)
    return member


def remove_member(*, session: Session, workspace_id: int, actor_role: Role, user_id: int) -> None:
    """Remove a member; the last owner cannot be removed."""
    member = _member(session, workspace_id, user_id)
    _check_grant(actor_role, Role(member.role))
    if Role(member.role) == Role.owner:
        _keep_an_owner(session, workspace_id)
    session.delete(member)


def _member(session: Session, workspace_id: int, user_id: int) -> Membership:
    member = membership(session=session, user_id=user_id, workspace_id=workspace_id)
    if member is None:
        raise NotFound("No such member in this workspace.")
    return member


def _check_grant(actor_role: Role, role: Role) -> None:
    if not actor_role.at_least(Role.admin):
        raise Forbidden("Only admins and owners manage members.")
    if role == Role.owner and actor_role != Role.owner:
        raise Forbidden("Only an owner can make or change an owner.")


def _keep_an_owner(session: Session, workspace_id: int) -> None:
    owners = session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.workspace_id == workspace_id, Membership.role == Role.owner)
    ).one()
    if owners <= 1:
        raise Invalid(
            "A workspace needs at least one owner.",
            errors=[field_error("role", "the last owner cannot be removed or demoted")],
        )
