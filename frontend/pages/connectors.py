"""Connectors: the list with state and runs, a guided form per kind (test and preview before saving), and a
connector's page with its feeds, runs and errors. Credentials are typed, never shown again: only "set"."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from frontend.backend import FORM_PROBLEM, N_, Answer, call, int_or_none, is_htmx, refusal
from frontend.deps import WorkspaceDep
from frontend.templating import render
from gateway.auth import BrowserContext
from kit.roles import Role

router = APIRouter()
API = "/api/v1/connectors"
STATES = {"ok": N_("Working"), "failing": N_("Failing"), "paused": N_("Paused")}
PERIODS = {"day": N_("Day"), "week": N_("Week (from Monday)"), "month": N_("Month (from the 1st)")}
RUN_STATES = {"running": N_("Running"), "ok": N_("Done"), "failed": N_("Failed")}
QUEUED = N_("The run has started. Its result shows below in a moment.")
FEED_ERRORS = {
    "kpi_id": N_("Choose an active KPI of this workspace that is not derived from a formula."),
    "metric": N_("Choose one of the metrics this connector offers."),
    "filter": N_("This metric needs a filter."),
    "backfill_days": N_("Between 0 and 1098 days."),
}
FEED_TAKEN = N_("This connector already feeds that KPI for that period.")


async def _kinds(request: Request, browser: BrowserContext) -> dict[str, dict]:
    answer = await call(request, browser, "GET", f"{API}/kinds")
    if not answer.ok:
        raise refusal(answer)
    return {k["kind"]: k for k in answer.body}


async def _kpis(request: Request, browser: BrowserContext) -> list[dict]:
    answer = await call(request, browser, "GET", "/api/v1/kpis", params={"limit": 500})
    return [k for k in answer.body["data"] if not k["derived"]] if answer.ok else []


@router.get("/connectors")
async def connectors_page(request: Request, browser: WorkspaceDep):
    answer = await call(request, browser, "GET", API, params={"limit": 200})
    if not answer.ok:
        raise refusal(answer)
    context = {"nav": "kpis", "connectors": answer.body["data"], "count": answer.body["count"], "states": STATES}
    context.update(kinds=await _kinds(request, browser), can_admin=browser.role.at_least(Role.admin))
    return render(request, "connectors.html", context)


# --- the guided form -------------------------------------------------------------------------------


def _form_body(form: Any, kind: dict) -> dict[str, Any]:
    """The connector the form describes, as the API takes it."""
    return {
        "name": (form.get("name") or "").strip() or kind["label"],
        "kind": kind["kind"],
        "settings": {f["name"]: form.get(f"s_{f['name']}") or "" for f in kind["settings"]},
        "credentials": {f["name"]: form.get(f"c_{f['name']}") or "" for f in kind["credentials"]},
        "run_at": form.get("run_at") or "06:00",
    }


def _form_errors(answer: Answer) -> dict[str, str]:
    """settings.site_id → s_site_id; credentials.api_key → c_api_key; the rest to the whole form."""
    out: dict[str, str] = {}
    for item in (answer.body or {}).get("errors") or [{}]:
        parts = str(item.get("field") or "").split(".")
        prefix = {"settings": "s_", "credentials": "c_"}.get(parts[0])
        if prefix and len(parts) > 1:
            out[prefix + parts[1]] = item.get("detail") or FORM_PROBLEM
        elif parts[0] in ("name", "run_at"):
            out[parts[0]] = item.get("detail") or FORM_PROBLEM
        else:
            out[""] = FORM_PROBLEM
    return out


async def _new_page(request: Request, browser: BrowserContext, kind_key: str | None, **extra: Any):
    kinds = await _kinds(request, browser)
    kind = kinds.get(kind_key or "")
    context = {
        "nav": "kpis",
        "kinds": kinds,
        "kind": kind,
        "values": extra.pop("values", {}),
        "errors": extra.pop("errors", {}),
        "probe": extra.pop("probe", None),
        "kpis": await _kpis(request, browser) if kind else [],
        "periods": PERIODS,
    }
    return render(request, "connector_new.html", context, status=extra.pop("status", 200))


def _kept(form: Any) -> dict[str, str]:
    """What the form re-shows after a refusal: everything but the credentials."""
    return {k: str(v) for k, v in form.items() if not k.startswith("c_") and k != "csrf_token"}


@router.get("/connectors/new")
async def new_connector(request: Request, browser: WorkspaceDep):
    return await _new_page(request, browser, request.query_params.get("kind"))


@router.post("/connectors/new")
async def create_connector(request: Request, browser: WorkspaceDep):
    form = await request.form()
    kinds = await _kinds(request, browser)
    kind = kinds.get(str(form.get("kind") or ""))
    if kind is None:
        return await _new_page(request, browser, None, errors={"": FORM_PROBLEM}, status=422)
    answer = await call(request, browser, "POST", API, payload=_form_body(form, kind))
    if answer.status == 422:
        return await _new_page(
            request, browser, kind["kind"], values=_kept(form), errors=_form_errors(answer), status=422
        )
    if not answer.ok:
        raise refusal(answer)
    connector_id = answer.body["id"]
    if form.get("metric") and int_or_none(form.get("kpi_id")):
        feed = await call(request, browser, "POST", f"{API}/{connector_id}/feeds", payload=_feed(form))
        if not feed.ok:
            return await _connector_page(request, browser, connector_id, feed_errors=_feed_errors(feed), status=422)
    return RedirectResponse(f"/connectors/{connector_id}", status_code=303)


@router.post("/connectors/new/{action}")
async def probe_new(request: Request, browser: WorkspaceDep, action: str):
    """Test the connection or preview the last 7 days of the form's connector; nothing is saved."""
    form = await request.form()
    kinds = await _kinds(request, browser)
    kind = kinds.get(str(form.get("kind") or ""))
    if kind is None or action not in ("test", "preview"):
        return await _new_page(request, browser, None, errors={"": FORM_PROBLEM}, status=422)
    body = _form_body(form, kind)
    payload = {"kind": body["kind"], "settings": body["settings"], "credentials": body["credentials"]}
    if action == "preview":
        payload["feeds"] = [
            {
                "metric": form.get("metric") or kind["metrics"][0]["key"],
                "filter": form.get("filter") or None,
                "period": form.get("period") or "day",
            }
        ]
    answer = await call(request, browser, "POST", f"{API}/{action}", payload=payload)
    probe = answer.body if answer.ok else {"ok": False, "message": None, "errors": _form_errors(answer)}
    if is_htmx(request):
        return render(request, "_connector_probe.html", {"probe": probe, "periods": PERIODS})
    return await _new_page(request, browser, kind["kind"], values=_kept(form), probe=probe)


# --- one connector ---------------------------------------------------------------------------------


def _feed(form: Any) -> dict[str, Any]:
    return {
        "metric": form.get("metric") or "",
        "filter": (form.get("filter") or "").strip() or None,
        "kpi_id": int_or_none(form.get("kpi_id")) or 0,
        "period": form.get("period") or "day",
        "backfill_days": int_or_none(form.get("backfill_days")) if form.get("backfill_days") else 30,
    }


def _feed_errors(answer: Answer) -> dict[str, str]:
    if answer.status == 409:
        return {"": FEED_TAKEN}
    return answer.field_errors(FEED_ERRORS)


async def _connector_page(request: Request, browser: BrowserContext, connector_id: int, **extra: Any):
    answer = await call(request, browser, "GET", f"{API}/{connector_id}")
    if not answer.ok:
        raise refusal(answer)
    connector = answer.body
    feeds = await call(request, browser, "GET", f"{API}/{connector_id}/feeds")
    runs = await call(request, browser, "GET", f"{API}/{connector_id}/runs", params={"limit": 20})
    kinds = await _kinds(request, browser)
    kpis = await _kpis(request, browser)
    context = {
        "nav": "kpis",
        "connector": connector,
        "kind": kinds[connector["kind"]],
        "feeds": feeds.body["data"] if feeds.ok else [],
        "runs": runs.body["data"] if runs.ok else [],
        "kpis": kpis,
        "kpi_names": {k["id"]: k["name"] for k in kpis},
        "states": STATES,
        "run_states": RUN_STATES,
        "periods": PERIODS,
        "can_edit": browser.role.at_least(Role.editor),
        "can_admin": browser.role.at_least(Role.admin),
        "feed_errors": extra.pop("feed_errors", {}),
        "cred_errors": extra.pop("cred_errors", {}),
        "notice": extra.pop("notice", None),
        "probe": extra.pop("probe", None),
    }
    return render(
        request, "connector.html", context, status=extra.pop("status", 200), headers={"Cache-Control": "no-store"}
    )


@router.get("/connectors/{connector_id}")
async def connector_page(request: Request, browser: WorkspaceDep, connector_id: int):
    return await _connector_page(request, browser, connector_id)


@router.post("/connectors/{connector_id}/feeds")
async def add_feed(request: Request, browser: WorkspaceDep, connector_id: int):
    form = await request.form()
    answer = await call(request, browser, "POST", f"{API}/{connector_id}/feeds", payload=_feed(form))
    if answer.status in (409, 422):
        return await _connector_page(request, browser, connector_id, feed_errors=_feed_errors(answer), status=422)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/connectors/{connector_id}", status_code=303)


@router.post("/connectors/{connector_id}/feeds/{feed_id}/delete")
async def delete_feed(request: Request, browser: WorkspaceDep, connector_id: int, feed_id: int):
    answer = await call(request, browser, "DELETE", f"{API}/{connector_id}/feeds/{feed_id}")
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/connectors/{connector_id}", status_code=303)


@router.post("/connectors/{connector_id}/run")
async def run_now(request: Request, browser: WorkspaceDep, connector_id: int):
    answer = await call(request, browser, "POST", f"{API}/{connector_id}/run")
    if not answer.ok:
        raise refusal(answer)
    return await _connector_page(request, browser, connector_id, notice=QUEUED)


@router.post("/connectors/{connector_id}/test")
async def test_saved(request: Request, browser: WorkspaceDep, connector_id: int):
    answer = await call(request, browser, "POST", f"{API}/{connector_id}/test")
    if not answer.ok:
        raise refusal(answer)
    return await _connector_page(request, browser, connector_id, probe=answer.body)


@router.post("/connectors/{connector_id}/credentials")
async def replace_credentials(request: Request, browser: WorkspaceDep, connector_id: int):
    form = await request.form()
    sent = {k[2:]: str(v) for k, v in form.items() if k.startswith("c_") and str(v).strip()}
    answer = await call(request, browser, "PATCH", f"{API}/{connector_id}", payload={"credentials": sent})
    if answer.status == 422:
        return await _connector_page(request, browser, connector_id, cred_errors=_form_errors(answer), status=422)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/connectors/{connector_id}", status_code=303)


@router.post("/connectors/{connector_id}/{action}")
async def pause_resume_delete(request: Request, browser: WorkspaceDep, connector_id: int, action: str):
    if action == "delete":
        answer = await call(request, browser, "DELETE", f"{API}/{connector_id}")
        if not answer.ok:
            raise refusal(answer)
        return RedirectResponse("/connectors", status_code=303)
    if action not in ("pause", "resume"):
        raise refusal(Answer(404, None))
    payload = {"paused": action == "pause"}
    answer = await call(request, browser, "PATCH", f"{API}/{connector_id}", payload=payload)
    if not answer.ok:
        raise refusal(answer)
    return RedirectResponse(f"/connectors/{connector_id}", status_code=303)
