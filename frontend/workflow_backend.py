"""Calls of the workflow pages to the tasks service: as the browser in the current workspace, or in another
workspace the user belongs to (My work links there), with the set of the user's workspaces vouched for."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from frontend.backend import Answer, Down
from gateway.auth import BrowserContext
from kit.errors import NotFound, Unavailable
from kit.identity import WORKSPACES_HEADER, Principal, sign_workspaces


def principal_in(browser: BrowserContext, workspace_id: int | None) -> Principal:
    """The browser's principal in `workspace_id` (the current one by default); NotFound if not a member there."""
    if workspace_id is None or workspace_id == browser.workspace.id:
        return browser.principal
    for workspace, role in browser.workspaces:
        if workspace.id == workspace_id:
            return Principal(user_id=browser.user.id, workspace_id=workspace.id, role=role, timezone=workspace.timezone)
    raise NotFound("No such workspace.")


async def tasks(
    request: Request,
    browser: BrowserContext,
    method: str,
    path: str,
    *,
    ws: int | None = None,
    params: Any = None,
    payload: Any = None,
    vouch: bool = False,
) -> Answer:
    """One call to the tasks service; `vouch` adds the signed list of every workspace the user belongs to."""
    state = request.app.state
    headers = state.upstreams.identity_headers(principal_in(browser, ws))
    if vouch:
        ids = [w.id for w, _ in browser.workspaces]
        headers[WORKSPACES_HEADER] = sign_workspaces(state.signing_key, browser.user.id, ids)
    body = None
    if payload is not None:
        headers["content-type"] = "application/json"
        body = json.dumps(payload, default=str).encode()
    try:
        status, _, content = await state.upstreams.send(
            "tasks", method, path, headers=headers, body=body, params=params
        )
    except Unavailable:
        raise Down("tasks") from None
    try:
        return Answer(status, json.loads(content) if content else None)
    except ValueError:
        return Answer(502, None)


async def body_or_none(request: Request, browser: BrowserContext, path: str, **kw) -> Any:
    """The body of a GET that answered 200, else None (down or refused)."""
    try:
        answer = await tasks(request, browser, "GET", path, **kw)
    except Down:
        return None
    return answer.body if answer.status == 200 else None
