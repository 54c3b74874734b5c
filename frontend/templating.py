"""Render a page, or only the block an htmx request targets, with the same URL (template fragments)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format
from jinja2 import Environment, FileSystemLoader, pass_context
from jinja2.ext import _make_new_gettext, _make_new_ngettext
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.requests import Request
from starlette.responses import Response

from frontend import formatting, i18n
from gateway.auth import CSRF_COOKIE, new_csrf_token

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Blocks(
    env=Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, extensions=["jinja2.ext.i18n"])
)
templates.env.policies["ext.i18n.trimmed"] = True
templates.env.globals["LANGUAGES"] = i18n.LANGUAGES
templates.env.install_null_translations(newstyle=True)


def format_day(value: Any, lang: str, form: str = "medium") -> str:
    """A date (or ISO date string) in the page's language: "5. des. 2026", "5 Dec 2026"."""
    if not value:
        return ""
    return formatting.day(value, lang, form)


def _moment(value: Any, lang: str, zone: str = "UTC") -> str:
    """A moment (or ISO string) as short date and time in the workspace's time zone."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(ZoneInfo(zone))
    except (ValueError, OverflowError):  # a moment at the edge of what datetime holds: shown as it came
        return str(value)
    pattern = get_datetime_format("medium", locale=lang)
    return pattern.replace("{1}", format_date(local, "medium", locale=lang)).replace(
        "{0}", format_time(local, "short", locale=lang)
    )


@pass_context
def _moment_here(ctx, value: Any, lang: str, zone: str | None = None) -> str:
    """newcomer: a moment in the workspace's time zone unless a zone is given (cycle times, the print view)."""
    browser = ctx.get("browser")
    workspace = getattr(browser, "workspace", None)
    return _moment(value, lang, zone or getattr(workspace, "timezone", None) or "UTC")


def _percent(value: float | None) -> int | None:
    """A share 0..1 as a whole percentage, clamped for bars; None stays None (never a made-up number)."""
    if value is None:
        return None
    return max(0, min(100, round(value * 100)))


def _figure(value: Any, unit: str | None, lang: str) -> str:
    """A KPI figure in the page's language: 1 234,5 in Norwegian, 1,234.5 in English; percent with its sign."""
    if value is None:
        return ""
    text = formatting.number(value, lang)
    return f"{text} %" if unit == "percent" else text


def _days_from_today(value: Any) -> int | None:
    """Days from today to a date (negative when it has passed)."""
    day = formatting.as_date(value) if value else None
    return None if day is None else (day - date.today()).days


# The line icons, for every template and for blocks rendered alone (they do not run a template's imports).
templates.env.globals["icon"] = templates.env.get_template("_icons.html").module.icon
templates.env.filters.update(
    day=format_day, moment=_moment_here, percent=_percent, days_from_today=_days_from_today, figure=_figure
)


@lru_cache
def gettext_functions(lang: str) -> dict[str, Any]:
    """Per-request gettext for the templates (new-style: autoescaped, %(name)s placeholders)."""
    tr = i18n.translations(lang)
    gettext, ngettext = _make_new_gettext(tr.gettext), _make_new_ngettext(tr.ngettext)
    return {"gettext": gettext, "ngettext": ngettext, "_": gettext}


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser, minting one (set as a cookie on the response) if it has none."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = request.state.new_csrf = new_csrf_token()
    return token


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The whole page; or, for an htmx request whose target (HX-Target) is a block of the page, that block."""
    browser = getattr(request.state, "browser", None)
    lang = i18n.pick_language(request, browser.user.locale if browser else None)
    ctx = {
        "request": request,
        "lang": lang,
        "csrf_token": csrf_token(request),
        "browser": browser,
        **gettext_functions(lang),
        **(context or {}),
    }
    block = _target_block(request, name)
    if block:
        response = templates.TemplateResponse(request, name, ctx, status_code=status, block_name=block)
    else:
        response = templates.TemplateResponse(request, name, ctx, status_code=status)
    response.headers["Vary"] = "HX-Request, HX-Target, Cookie"
    response.headers["Content-Language"] = lang
    for key, value in (headers or {}).items():
        response.headers[key] = value
    new = getattr(request.state, "new_csrf", None)
    if new:
        set_csrf_cookie(request, response, new)
    return response


def _target_block(request: Request, name: str) -> str | None:
    if request.headers.get("hx-request") != "true":
        return None
    target = request.headers.get("hx-target")
    if not target:
        return None
    template = templates.env.get_template(name)
    return target if target in template.blocks else None


def secure(request: Request) -> bool:
    """Over HTTPS (X-Forwarded-Proto counts only from a trusted proxy: gateway.edge.TrustedProxies)."""
    return request.url.scheme == "https"


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", secure=secure(request), path="/")
