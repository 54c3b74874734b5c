"""Single sign-on pages: send the browser to the provider and take it back."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend.deps import safe_next
from frontend.pages.auth import start_browser_session
from frontend.templating import render, secure
from gateway import oidc

router = APIRouter()
STATE_COOKIE = "effekt_oidc_state"
CALLBACK = "/signin/oidc/callback"


def _client(request: Request) -> oidc.OidcClient:
    """The provider client for the installation's current settings."""
    state = request.app.state
    client = getattr(state, "oidc", None)
    if client is None or client.cfg is not state.settings:
        client = state.oidc = oidc.OidcClient(state.settings, state.redis)
    return client


def _refused(request: Request, reason: str):
    context = {"next": "/", "email": "", "error": None, "sso_error": reason}
    response = render(request, "signin.html", context, status=400)
    response.delete_cookie(STATE_COOKIE, path=CALLBACK)
    return response


@router.get("/signin/oidc")
async def sso_start(request: Request, next: str = "/"):
    """Off to the provider, with a one-time state bound to this browser by a cookie."""
    if not request.app.state.settings.oidc_enabled():
        return RedirectResponse("/signin", status_code=303)
    redirect_uri = str(request.url_for("sso_callback"))
    url, state = await _client(request).start(redirect_uri=redirect_uri, next_url=safe_next(next))
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=oidc.PENDING_SECONDS,
        httponly=True,
        samesite="lax",
        secure=secure(request),
        path=CALLBACK,
    )
    return response


@router.get(CALLBACK, name="sso_callback")
async def sso_callback(request: Request, state: str = "", code: str = "", error: str = ""):
    """Back from the provider: verify everything, link the account by verified email, open a session."""
    cfg = request.app.state.settings
    if not cfg.oidc_enabled():
        return RedirectResponse("/signin", status_code=303)
    if error or not code or not state:
        return _refused(request, "provider")
    try:
        identity, next_url = await _client(request).finish(
            state=state, cookie_state=request.cookies.get(STATE_COOKIE), code=code
        )
    except oidc.SignInRefused as exc:
        return _refused(request, exc.reason)
    user = await request.app.state.run_db(
        lambda s: oidc.sign_in_user(
            session=s, identity=identity, join_slug=cfg.oidc_join_workspace, join_role=cfg.oidc_join_role
        )
    )
    response = await start_browser_session(request, user, next_url)
    response.delete_cookie(STATE_COOKIE, path=CALLBACK)
    return response
