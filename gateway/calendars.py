"""The public calendar feed: GET /calendar/<token>.ics, relayed to the tasks service without an identity.

Calendar apps subscribe with a bare URL (no cookie, no header): the token in it is the credential, checked by
the tasks service against the hash it keeps."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from starlette.responses import Response

from kit.errors import NotFound

router = APIRouter(include_in_schema=False)
TOKEN = re.compile(r"^cal_[A-Za-z0-9_-]{20,80}$")


@router.get("/calendar/{token}.ics")
async def calendar_feed(token: str, request: Request) -> Response:
    if not TOKEN.match(token):
        raise NotFound("No such calendar feed (the address may have been revoked).")
    status, kept, content = await request.app.state.upstreams.send("tasks", "GET", f"/feeds/{token}.ics", headers={})
    response = Response(content, status_code=status)
    for key, value in kept:
        response.headers[key] = value
    return response
