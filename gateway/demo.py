"""The gateway's part of the demo: the demo user, the `demo` workspace and its team."""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from gateway import accounts, workspaces
from gateway.models import Membership, User, UserCreate, Workspace, WorkspaceCreate
from kit import demo_language
from kit.roles import Role

DEMO_EMAIL = "demo@example.com"
DEMO_SLUG = "demo"
TEAM = [
    ("ingrid.solberg@example.com", "Ingrid Solberg", Role.admin),
    ("mikko.virtanen@example.com", "Mikko Virtanen", Role.editor),
    ("sara.lindqvist@example.com", "Sara Lindqvist", Role.editor),
    ("ola.haugen@example.com", "Ola Haugen", Role.viewer),
]


def ensure(session: Session, *, password: str) -> tuple[int, dict[str, int], bool]:
    """The demo workspace id, its people (email → user id), and whether it was created now."""
    workspace = session.exec(select(Workspace).where(Workspace.slug == DEMO_SLUG)).first()
    if workspace is not None:
        rows = session.exec(select(Membership.user_id).where(Membership.workspace_id == workspace.id)).all()
        people = {u.email: u.id for u in session.exec(select(User).where(User.id.in_(rows))).all()}
        return workspace.id, people, False
    owner = accounts.get_user_by_email(session=session, email=DEMO_EMAIL) or accounts.create_user(
        session=session, data=UserCreate(email=DEMO_EMAIL, name="Demo Owner", password=password)
    )
    if demo_language.language() != "en":
        owner.locale = demo_language.language()  # the demo owner's pages open in the demo's language
    workspace = workspaces.create_workspace(
        session=session, data=WorkspaceCreate(name="Nordvik Outdoor AS", slug=DEMO_SLUG), owner=owner
    )
    people = {DEMO_EMAIL: owner.id}
    for email, name, role in TEAM:
        user = accounts.get_user_by_email(session=session, email=email) or accounts.create_user(
            session=session, data=UserCreate(email=email, name=name, password=secrets.token_urlsafe(24))
        )
        session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=role))
        people[email] = user.id
    session.flush()
    return workspace.id, people, True
