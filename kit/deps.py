"""Request-scoped dependencies for FastAPI routes: the one session a request commits (the web side of kit.db).

A request crosses into the thread pool once: every dependency is `async def` and does no I/O (a Session
touches the database only when first used), and `OneHopRoute` runs a sync endpoint together with its
session's commit (or rollback) in one trip through the pool, before the response is sent.

Each service has threads of its own (`ThreadLimit`), of which a few run at once (EFFEKT_REQUEST_THREADS, default 1;
kit.turns): a request's work holds the GIL, so threads running side by side only hand the interpreter to each other
(every request waits for all the others, and SQLite's driver lets go of the GIL at every row). A thread waiting on
another service, on PostgreSQL or on SQLite's write lock lends its turn, so one slow answer holds up nobody. Per
service, because a service's request may wait for another service's answer (goals asks metrics)."""

from __future__ import annotations

import asyncio
import functools
import inspect
import weakref
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import Annotated, Any

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from kit.turns import Turns

POOL_PER_TURN = 8  # threads that may wait for a turn (or on another service) per turn; waiting ones cost nothing
_threads: ContextVar[tuple[CapacityLimiter, Turns] | None] = ContextVar("effekt_request_threads", default=None)


class ThreadLimit:
    """ASGI middleware: this app's requests run their sync work on threads of its own, `tokens` of them at once."""

    def __init__(self, app: ASGIApp, tokens: int):
        self.app = app
        self.tokens = max(1, tokens)
        self.turns = Turns(self.tokens)
        # by event loop: each is made in the loop that serves (tests run one app in several)
        self.limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
            weakref.WeakKeyDictionary()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        loop = asyncio.get_running_loop()
        limiter = self.limiters.get(loop)
        if limiter is None:
            limiter = self.limiters[loop] = CapacityLimiter(self.tokens * POOL_PER_TURN)
        token = _threads.set((limiter, self.turns))
        try:
            await self.app(scope, receive, send)
        finally:
            _threads.reset(token)


async def run_in_threadpool(fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args) in a worker thread of this app's pool, once it has a turn (the process-wide pool and no turns
    outside a ThreadLimit)."""
    threads = _threads.get()
    if threads is None:
        return await anyio.to_thread.run_sync(fn, *args)
    limiter, turns = threads
    return await anyio.to_thread.run_sync(turns.run, fn, *args, limiter=limiter)


async def request_session(request: Request) -> AsyncIterator[Session]:
    """Dependency: a session on the app's engine; committed when the route returns, else rolled back.

    A OneHopRoute's endpoint commits in its own thread; this commits only what is left (async endpoints)."""
    session = Session(request.app.state.engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        if session.in_transaction():
            await run_in_threadpool(_end, session, False)
        else:
            session.close()
        raise
    if session.in_transaction() or session.new or session.dirty or session.deleted:
        await run_in_threadpool(_end, session, True)
    else:
        session.close()  # no connection is held after a commit: nothing to send


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


# scope="function": the commit happens before the response is sent, so a failed commit is a 500, not a lie.
SessionDep = Annotated[Session, Depends(request_session, scope="function")]


def _call_and_commit(endpoint: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    sessions = [value for value in kwargs.values() if isinstance(value, Session)]
    try:
        result = endpoint(**kwargs)
        for session in sessions:
            session.commit()
        return result
    except BaseException:
        for session in sessions:
            session.rollback()
        raise


def one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A sync endpoint as an async one that runs it and commits its session in one thread-pool trip."""
    if inspect.iscoroutinefunction(endpoint) or not inspect.isfunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)  # FastAPI reads the signature (and its globals) through __wrapped__
    async def run(**kwargs: Any) -> Any:
        return await run_in_threadpool(_call_and_commit, endpoint, kwargs)

    return run


class OneHopRoute(APIRoute):
    """The route class of every service router: sync endpoints cost one thread hop, commit included."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, one_hop(endpoint), **kwargs)
