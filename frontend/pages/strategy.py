"""The goal tree: strategic goals → strategic means → tactical means; add, edit, reorder, archive, restore."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from frontend import goal_form, goal_tree
from frontend.backend import N_, SERVICE_DOWN, Answer, Down, call, get_or_none, is_htmx, people, refusal
from frontend.deps import WorkspaceDep
from frontend.pages.surfaces import KINDS
from frontend.templating import render
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()

RESTORE_PARENT_FIRST = N_("Restore the goal above it first: a goal cannot be active under an archived one.")
MOVE_FAILED = N_("The goal could not be moved. Reload the page and try again.")
ShowForm = Annotated[str, Form(max_length=8)]


@dataclass(frozen=True, slots=True)
class View:
    """What the tree shows besides the goals: archived ones too, and which form is open."""

    show_archived: bool = False
    add: str | None = None  # "root" or the id of the parent whose add form is open
    edit: int | None = None

    def query(self, **extra: Any) -> str:
        parts = {"archived": "all" if self.show_archived else "", **extra}
        return "&".join(f"{k}={v}" for k, v in parts.items() if v not in ("", None))

    def url(self, anchor: str = "", **extra: Any) -> str:
        query = self.query(**extra)
        return "/strategy" + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


def _view(show: str, add: str = "", edit: int | None = None) -> View:
    add_to = add if add == "root" or (add.isdigit() and len(add) < 12) else None
    return View(show_archived=show == "all", add=add_to, edit=edit)


@router.get("/strategy")
async def strategy_page(
    request: Request, browser: WorkspaceDep, archived: str = "", add: str = "", edit: int | None = None
):
    return await tree_page(request, browser, _view(archived, add, edit))


@router.post("/strategy/goals")
async def create_goal(request: Request, browser: WorkspaceDep, show: ShowForm = ""):
    form = goal_form.read(await request.form())
    view = _view(show, form["parent_id"] or "root")
    errors = goal_form.weight_error(form)
    if errors:
        return await tree_page(request, browser, view, form=form, errors=errors, status=422)
    answer = await _send(request, browser, "POST", "/api/v1/goals", goal_form.create_payload(form))
    if not answer.ok:
        return await _rejected(request, browser, view, form, answer)
    if not is_htmx(request):
        return RedirectResponse(view.url(f"goal-{answer.body['id']}"), status_code=303)
    notice = {"kind": "created", "title": answer.body["title"], "id": answer.body["id"]}
    return await tree_page(request, browser, view, notice=notice)  # the add form stays open for the next one


@router.post("/strategy/goals/{goal_id}")
async def edit_goal(request: Request, browser: WorkspaceDep, goal_id: int, show: ShowForm = ""):
    form = goal_form.read(await request.form())
    view = _view(show, edit=goal_id)
    errors = goal_form.weight_error(form)
    if errors:
        return await tree_page(request, browser, view, form=form, errors=errors, status=422)
    current = await call(request, browser, "GET", f"/api/v1/goals/{goal_id}")
    if current.status != 200:
        raise refusal(current)
    answer = await _send(
        request, browser, "PATCH", f"/api/v1/goals/{goal_id}", goal_form.update_payload(form, current.body)
    )
    if not answer.ok:
        return await _rejected(request, browser, view, form, answer)
    if not is_htmx(request):
        return RedirectResponse(_view(show).url(f"goal-{goal_id}"), status_code=303)
    notice = {"kind": "saved", "title": answer.body["title"], "id": goal_id, "focus": f"title-{goal_id}"}
    return await tree_page(request, browser, _view(show), notice=notice)


@router.post("/strategy/goals/{goal_id}/move")
async def move_goal(
    request: Request,
    browser: WorkspaceDep,
    goal_id: int,
    direction: Annotated[Literal["up", "down"], Form()],
    position: Annotated[int, Form(ge=0)],
    show: ShowForm = "",
):
    target = position - 1 if direction == "up" else position + 1
    answer = await call(request, browser, "POST", f"/api/v1/goals/{goal_id}/move", payload={"position": max(0, target)})
    notice = {"kind": "moved", "id": goal_id, "focus": f"move-{direction}-{goal_id}"}
    if not answer.ok:
        if answer.status != 422:
            raise refusal(answer)
        notice = {"kind": "error", "message": MOVE_FAILED}
    return await _after(request, browser, _view(show), notice, goal_id)


@router.post("/strategy/goals/{goal_id}/archive")
async def archive_goal(request: Request, browser: WorkspaceDep, goal_id: int, show: ShowForm = ""):
    answer = await call(request, browser, "POST", f"/api/v1/goals/{goal_id}/archive")
    if not answer.ok:
        raise refusal(answer)
    notice = {"kind": "archived", "title": answer.body["title"], "id": goal_id}
    return await _after(request, browser, _view(show), notice, goal_id)


@router.post("/strategy/goals/{goal_id}/restore")
async def restore_goal(request: Request, browser: WorkspaceDep, goal_id: int, show: ShowForm = ""):
    answer = await call(request, browser, "POST", f"/api/v1/goals/{goal_id}/restore")
    if answer.status == 422:
        notice = {"kind": "error", "message": RESTORE_PARENT_FIRST, "id": goal_id}
    elif not answer.ok:
        raise refusal(answer)
    else:
        notice = {"kind": "restored", "title": answer.body["title"], "id": goal_id, "focus": f"title-{goal_id}"}
    return await _after(request, browser, _view(show), notice, goal_id)


@router.post("/strategy/templates/{key}")
async def use_template(request: Request, browser: WorkspaceDep, key: str):
    answer = await call(request, browser, "POST", f"/api/v1/goals/templates/{key}/instantiate", payload={})
    if not answer.ok:
        raise refusal(answer)
    if not is_htmx(request):
        return RedirectResponse("/strategy", status_code=303)
    skipped = answer.body.get("skipped", [])
    notice = {"kind": "template", "created": len(answer.body.get("created", [])), "skipped": skipped}
    return await tree_page(request, browser, View(), notice=notice)


async def _send(request: Request, browser: BrowserContext, method: str, path: str, payload: dict) -> Answer:
    try:
        return await call(request, browser, method, path, payload=payload)
    except Down:
        return Answer(503, {"errors": [{"field": "", "detail": "down"}]})


async def _rejected(request: Request, browser: BrowserContext, view: View, form: dict, answer: Answer):
    """A form the service refused: 422 beside the fields; the service down is said above the form."""
    if answer.status == 422:
        return await tree_page(
            request, browser, view, form=form, errors=answer.field_errors(goal_form.GOAL_ERRORS), status=422
        )
    if answer.status == 503:
        return await tree_page(request, browser, view, form=form, errors={"": SERVICE_DOWN}, status=503)
    raise refusal(answer)


async def _after(request: Request, browser: BrowserContext, view: View, notice: dict, goal_id: int):
    """After a change from a row: the tree again, or for a plain form a redirect back to the goal's row."""
    if not is_htmx(request):
        return RedirectResponse(view.url(f"goal-{goal_id}"), status_code=303)
    return await tree_page(request, browser, view, notice=notice)


async def tree_page(
    request: Request,
    browser: BrowserContext,
    view: View,
    *,
    form: dict | None = None,
    errors: dict | None = None,
    notice: dict | None = None,
    extra: dict | None = None,
    status: int = 200,
):
    """The Strategy page (or its #tree block) with the goals, the open form and what just happened."""
    tree, surfaces, members = await asyncio.gather(
        get_or_none(
            request, browser, "/api/v1/goals/tree", params={"archived": "all" if view.show_archived else "false"}
        ),
        surfaces_by_id(request, browser),
        people(request, browser),
    )
    roots = tree["data"] if isinstance(tree, dict) else []
    goal_tree.annotate(roots)
    form = form or _open_form(view, roots, browser.user.id)
    open_form = form is not None and (view.add or view.edit)
    return render(
        request,
        "strategy.html",
        {
            "nav": "strategy",
            "view": view,
            "roots": roots,
            "down": tree is None,
            "kpis_unavailable": bool(tree and tree.get("kpis_unavailable")),
            "people": members,
            "surfaces": surfaces,
            "kinds": KINDS,
            "levels": goal_tree.LEVEL_LABELS,
            "add_labels": goal_tree.ADD_LABELS,
            "form": form if open_form else None,
            "errors": errors or {},
            "notice": notice or {},
            "kpi_choices": await _kpi_choices(request, browser) if open_form else None,
            "templates": await _templates(request, browser) if tree is not None and not roots else [],
            "can_edit": browser.role.at_least(Role.editor),
            **(extra or {}),
        },
        status=status,
    )


def _open_form(view: View, roots: list[dict[str, Any]], me: int) -> dict[str, Any] | None:
    """The blank add form or the filled edit form the view asks for; None if its goal is not in the tree."""
    if view.edit:
        goal = goal_tree.find(roots, view.edit)
        return goal_form.of_goal(goal) if goal else None
    if view.add == "root":
        return goal_form.blank("strategic_goal", None, me)
    parent = goal_tree.find(roots, int(view.add)) if view.add else None
    if parent is None or parent.get("archived") or not goal_tree.CHILD_LEVEL.get(parent["level"]):
        return None
    return goal_form.blank(goal_tree.CHILD_LEVEL[parent["level"]], parent["id"], me)


async def surfaces_by_id(request: Request, browser: BrowserContext) -> dict[int, dict[str, Any]]:
    body = await get_or_none(request, browser, "/api/v1/surfaces", params={"archived": "all", "limit": 500})
    return {s["id"]: s for s in body["data"]} if isinstance(body, dict) else {}


async def _kpi_choices(request: Request, browser: BrowserContext) -> list[dict[str, Any]] | None:
    """The KPIs a goal can be linked to; None when metrics is not answering (the form then leaves links alone)."""
    body = await get_or_none(
        request, browser, "/api/v1/kpis", params={"archived": "false", "limit": 500, "sort": "name"}
    )
    return body["data"] if isinstance(body, dict) else None


async def _templates(request: Request, browser: BrowserContext) -> list[dict[str, Any]]:
    body = await get_or_none(request, browser, "/api/v1/goals/templates")
    found = body.get("data", []) if isinstance(body, dict) else []
    return sorted((t for t in found if t.get("builtin")), key=lambda t: "digital" not in str(t.get("key")))
