"""Request-scoped dependencies for FastAPI routes: the one session a request commits (the web side of kit.db)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session


def request_session(request: Request) -> Iterator[Session]:
    """Dependency: a session on the app's engine; commits when the route returns, else rolls back."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# scope="function": the commit happens before the response is sent, so a failed commit is a 500, not a lie.
SessionDep = Annotated[Session, Depends(request_session, scope="function")]
