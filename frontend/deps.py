"""Dependencies of the UI routes: the signed-in browser, role checks, CSRF."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from gateway.auth import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, UNSAFE_METHODS, BrowserContext, check_csrf
from kit.errors import Forbidden
from kit.roles import Role


class SignInRequired(Exception):
    """Raised by a page that needs a signed-in user; answered with a redirect to /signin."""

    def __init__(self, next_url: str):
        self.next_url = next_url


class NoWorkspace(Exception):
    """The user is signed in but belongs to no workspace: answered with the new-workspace page."""


def safe_next(url: str | None) -> str:
    """A local path to go to after sign-in, never another site."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


async def csrf_protect(request: Request) -> None:
    """Every unsafe UI request carries the CSRF token, as a form field or the X-CSRF-Token header."""
    if request.method in UNSAFE_METHODS:
        submitted = request.headers.get(CSRF_HEADER)
        if not submitted:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            submitted = value if isinstance(value, str) else None
        check_csrf(request, submitted)


async def signed_in(request: Request) -> BrowserContext:
    """The signed-in browser; otherwise a redirect to the sign-in page."""
    raw = request.cookies.get(SESSION_COOKIE)
    context = await request.app.state.auth.browser(raw) if raw else None
    if context is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(quote(target, safe="/?=&"))
    request.state.browser = context
    return context


async def in_workspace(browser: Annotated[BrowserContext, Depends(signed_in)]) -> BrowserContext:
    """A signed-in browser with a current workspace."""
    if browser.workspace is None:
        raise NoWorkspace()
    return browser


def role_at_least(minimum: Role):
    async def dep(browser: Annotated[BrowserContext, Depends(in_workspace)]) -> BrowserContext:
        if not browser.role.at_least(minimum):
            raise Forbidden(f"This page needs the {minimum.value} role.")
        return browser

    return dep


BrowserDep = Annotated[BrowserContext, Depends(signed_in)]
WorkspaceDep = Annotated[BrowserContext, Depends(in_workspace)]
AdminDep = Annotated[BrowserContext, Depends(role_at_least(Role.admin))]
