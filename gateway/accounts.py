"""Users, passwords and browser sessions (the sign-in rate limit is gateway.signin_limit)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, delete, select

from gateway.models import User, UserCreate, UserSession, utcnow
from kit.dates import as_utc
from kit.errors import Conflict, field_error

_hasher = PasswordHasher()
# Verified when the account does not exist, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("effekt-timing-equaliser")


def hash_secret(raw: str) -> str:
    """SHA-256 of a high-entropy secret (session or API token); the raw value is never stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(*, session: Session, data: UserCreate) -> User:
    """Register a user with an argon2-hashed password."""
    if get_user_by_email(session=session, email=data.email):
        raise Conflict("An account with this email exists.", errors=[field_error("email", "already registered")])
    user = User(email=data.email, name=data.name.strip(), password_hash=_hasher.hash(data.password))
    session.add(user)
    session.flush()
    return user


def get_user_by_email(*, session: Session, email: str) -> User | None:
    """The user with this email, if any."""
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """The user if the password matches; None otherwise, in about the same time either way."""
    user = get_user_by_email(session=session, email=email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    return user


def set_locale(*, session: Session, user_id: int, locale: str) -> None:
    """Remember the user's UI language."""
    user = session.get(User, user_id)
    user.locale = locale
    session.add(user)


def start_session(*, session: Session, user: User, workspace_id: int | None, days: int) -> str:
    """Open a browser session; returns the raw cookie value."""
    raw = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=hash_secret(raw),
            user_id=user.id,
            workspace_id=workspace_id,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    session.flush()
    return raw


def load_session(*, session: Session, raw: str) -> tuple[UserSession, User] | None:
    """The live session and its user for a cookie value, or None."""
    row = session.exec(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hash_secret(raw))
    ).first()
    if row is None:
        return None
    user_session, user = row
    if as_utc(user_session.expires_at) <= utcnow():
        session.delete(user_session)
        return None
    return user_session, user


def end_session(*, session: Session, raw: str) -> None:
    """Sign out: forget the session."""
    session.exec(delete(UserSession).where(UserSession.token_hash == hash_secret(raw)))
