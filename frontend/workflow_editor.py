"""The template editor's form back into a definition: anchor dates and roles by their row, steps, and the
messages that stand beside a field when the form cannot be saved as it is."""

from __future__ import annotations

import re
from typing import Any

from frontend.backend import N_, int_or_none

STEP_FIELDS = ("key", "title", "role", "anchor", "offset_days", "day_kind", "duration_days", "depends_on")
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")  # as the service's models.KEY_RE
KEY_FORMAT = N_("Use 1 to 40 lowercase letters, digits, “-” or “_”, starting with a letter or a digit.")
KEY_TAKEN = N_("Another row already has this key.")
ANCHOR_IN_USE = N_("These steps still count from this date: %(steps)s. Choose another date for them first.")
NO_ANCHOR = N_("A template needs at least one date.")
NOT_SAVED = N_("The template was not saved: %(why)s")


def as_edited(definition: dict) -> dict:
    """A stored definition in the editor's shape: anchors and roles by their index, nothing removed, no new rows."""
    return {
        "anchors": [{**a, "remove": False} for a in definition["anchors"]],
        "roles": list(definition["roles"]),
        "steps": list(definition["steps"]),
        "new_anchor": {"key": "", "name": "", "hard": False},
        "new_role": {"key": "", "name": ""},
    }


def _new_key(value: str, taken: set[str]) -> tuple[str, str | None]:
    """A new anchor's or role's key, lowercased, and the message beside it when it cannot be used."""
    key = value.strip().lower()
    if not KEY_RE.match(key):
        return key, KEY_FORMAT
    if key in taken:
        return key, KEY_TAKEN
    return key, None


def parse_definition(form: Any, base: dict) -> tuple[dict, dict, dict]:
    """The editor's rows back into (definition, the form as the editor shows it again, errors by field).

    Anchors and roles are rows of the base version by index (a row may be removed, one new row added); steps are
    the form's rows plus the new row when it has a key. A date that a kept step still counts from cannot be
    removed: the message stands beside that date and names the steps."""
    errors: dict[str, Any] = {}
    shown = [
        {
            **a,
            "name": (form.get(f"anchor-{i}-name") or "").strip() or a["name"],
            "hard": form.get(f"anchor-{i}-hard") == "on",
            "remove": form.get(f"anchor-{i}-remove") == "on",
        }
        for i, a in enumerate(base["anchors"])
    ]
    anchors = [{k: a[k] for k in ("key", "name", "hard")} for a in shown if not a["remove"]]
    new_anchor = {
        "key": (form.get("anchor-new-key") or "").strip(),
        "name": (form.get("anchor-new-name") or "").strip(),
        "hard": form.get("anchor-new-hard") == "on",
    }
    if new_anchor["key"]:
        key, problem = _new_key(new_anchor["key"], {a["key"] for a in anchors})
        if problem:
            errors["anchor-new-key"] = {"msg": problem}
        else:
            anchors.append({"key": key, "name": new_anchor["name"] or key, "hard": new_anchor["hard"]})
    roles = [
        {**r, "name": (form.get(f"role-{i}-name") or "").strip() or r["name"]} for i, r in enumerate(base["roles"])
    ]
    shown_roles = list(roles)
    new_role = {"key": (form.get("role-new-key") or "").strip(), "name": (form.get("role-new-name") or "").strip()}
    if new_role["key"]:
        key, problem = _new_key(new_role["key"], {r["key"] for r in roles})
        if problem:
            errors["role-new-key"] = {"msg": problem}
        else:
            roles.append({"key": key, "name": new_role["name"] or key})
    steps = _parse_steps(form)
    for i, a in enumerate(shown):
        using = [s["title"] or s["key"] for s in steps if a["remove"] and s["anchor"] == a["key"]]
        if using:
            errors[f"anchor-{i}-remove"] = {"msg": ANCHOR_IN_USE, "params": {"steps": ", ".join(using)}}
    if not anchors and not errors:
        errors["anchors"] = {"msg": NO_ANCHOR}
    edited = {
        "anchors": shown,
        "roles": shown_roles,
        "steps": steps,
        "new_anchor": new_anchor,
        "new_role": new_role,
    }
    return {"anchors": anchors, "roles": roles, "steps": steps}, edited, errors


def _parse_steps(form: Any) -> list[dict]:
    steps = []
    count = int_or_none(form.get("step-count")) or 0
    for i in [*range(min(count, 60)), "new"]:
        row = {f: (form.get(f"step-{i}-{f}") or "").strip() for f in STEP_FIELDS}
        if i == "new" and not row["key"]:
            continue
        if form.get(f"step-{i}-remove") == "on":
            continue
        step: dict[str, Any] = {**row, "instructions": form.get(f"step-{i}-instructions") or None}
        step["offset_days"] = int_or_none(row["offset_days"]) if row["offset_days"] else 0
        step["duration_days"] = int_or_none(row["duration_days"]) if row["duration_days"] else 1
        step["depends_on"] = [d.strip() for d in row["depends_on"].split(",") if d.strip()]
        approvers = [r.strip() for r in (form.get(f"step-{i}-approvers") or "").split(",") if r.strip()]
        if approvers:
            step["approval"] = {
                "approver_roles": approvers,
                "required": int_or_none(form.get(f"step-{i}-required")) or 1,
            }
        steps.append(step)
    return steps
