"""Sign in, sign out, switch workspace, switch language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from frontend import i18n
from frontend.deps import BrowserDep, safe_next
from frontend.templating import render, secure, set_csrf_cookie
from gateway import accounts, workspaces
from gateway.auth import SESSION_COOKIE, new_csrf_token
from kit.errors import RateLimited

router = APIRouter()


def see_other(request: Request, url: str) -> Response:
    """A redirect; htmx gets it as HX-Redirect so it navigates the whole page rather than swap a part."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.get("/signin")
async def signin_page(request: Request, next: str = "/"):
    return render(request, "signin.html", {"next": safe_next(next), "email": "", "error": None})


@router.post("/signin")
async def signin(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form()] = "/",
):
    state = request.app.state
    address = request.client.host if request.client else "unknown"
    ctx = {"next": safe_next(next), "email": email}
    if not state.settings.password_signin:
        return render(request, "signin.html", {**ctx, "error": "sso_only"}, status=403)
    if not email.strip() or not password:
        return render(request, "signin.html", {**ctx, "error": "missing"}, status=422)
    try:
        await state.limiter.check(email, address)
    except RateLimited as exc:
        return render(
            request,
            "signin.html",
            {**ctx, "error": "rate", "retry": exc.headers["Retry-After"]},
            status=429,
            headers=exc.headers,
        )
    user = await state.run_db(lambda s: accounts.authenticate(session=s, email=email, password=password))
    if user is None:
        await state.limiter.failed(email, address)
        return render(request, "signin.html", {**ctx, "error": "wrong"}, status=422)
    await state.limiter.succeeded(email, address)
    return await start_browser_session(request, user, next)


async def start_browser_session(request: Request, user, next_url: str) -> Response:
    """Open a session for the user (password or single sign-on) and send the browser on."""
    state = request.app.state
    raw = await state.run_db(lambda s: workspaces.open_session(session=s, user=user, days=state.settings.session_days))
    response = see_other(request, safe_next(next_url))
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        max_age=state.settings.session_days * 86400,
        path="/",
    )
    set_csrf_cookie(request, response, new_csrf_token())  # a new token for the new session
    return response


@router.post("/signout")
async def signout(request: Request):
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        await request.app.state.run_db(lambda s: accounts.end_session(session=s, raw=raw))
    response = see_other(request, "/signin")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/workspace")
async def switch_workspace(
    request: Request, browser: BrowserDep, slug: Annotated[str, Form(max_length=48)], next: Annotated[str, Form()] = "/"
):
    """Make another of the user's workspaces the current one (a foreign slug is a 404)."""

    await request.app.state.run_db(
        lambda s: workspaces.switch_workspace(
            session=s, session_id=browser.session.id, user_id=browser.user.id, slug=slug
        )
    )
    return see_other(request, safe_next(next))


@router.post("/language")
async def switch_language(
    request: Request, lang: Annotated[str, Form(max_length=8)], next: Annotated[str, Form()] = "/"
):
    """Remember the chosen UI language in a cookie (and on the account when signed in)."""
    if lang not in i18n.LANGUAGES:
        lang = i18n.DEFAULT
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        browser = await request.app.state.auth.browser(raw)
        if browser is not None:
            await request.app.state.run_db(
                lambda s: accounts.set_locale(session=s, user_id=browser.user.id, locale=lang)
            )
    response = see_other(request, safe_next(next))
    response.set_cookie(i18n.COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=secure(request), path="/")
    return response
