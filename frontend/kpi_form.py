"""The KPI form: what the browser sends, what the metrics API takes, the library presets and the messages."""

from __future__ import annotations

import math
import re
from typing import Any

from starlette.datastructures import FormData

from frontend.backend import DATE_RANGE, N_, Answer, Said, int_or_none, out_of_range

UNITS = {"number": N_("Number"), "percent": N_("Percent"), "currency": N_("Money"), "duration": N_("Hours")}
DIRECTIONS = {
    "higher_is_better": N_("Higher is better"),
    "lower_is_better": N_("Lower is better"),
    "target_band": N_("Within a target band"),
}
AGGREGATIONS = {
    "sum": N_("Sum"),
    "mean": N_("Average"),
    "last": N_("Latest value"),
    "min": N_("Lowest"),
    "max": N_("Highest"),
}
CATEGORIES = {"input": N_("Input"), "activity": N_("Activity"), "result": N_("Result")}
# The scorecard's columns, one per category: (category, heading, hint); the scorecard and cycles show them.
COLUMNS = (
    ("input", N_("Inputs"), N_("What is spent")),
    ("activity", N_("Activities"), N_("What is done")),
    ("result", N_("Results"), N_("What it achieves")),
)
CATEGORY_HINTS = {
    "input": N_("What is spent: money, hours, people"),
    "activity": N_("What is done: articles published, campaigns run"),
    "result": N_("What it achieves: traffic, conversions, revenue, satisfaction"),
}
FREQUENCIES = {"day": N_("Daily"), "week": N_("Weekly"), "month": N_("Monthly"), "quarter": N_("Quarterly")}
THRESHOLD_MODES = {"relative": N_("Relative to the target"), "absolute": N_("Absolute values")}
SOURCES = {
    "manual": N_("Entered by hand"),
    "import": N_("File import"),
    "api": N_("Push API"),
    "connector": N_("Connector"),
    "feedback": N_("Feedback items"),
    "activity": N_("Effekt's own work"),
    "derived": N_("Derived"),
}
OWN_SOURCES = ("manual", "import", "api")  # derived is set by the service when there is a formula
# Sources the form does not offer: set by the service (a connector, the feedback items, the activity feed). The
# edit form shows such a source as chosen and leaves it out of the payload, so saving never switches it off.
KEPT_SOURCES = ("connector", "feedback", "activity")

# The library's presets by key, in the page's language (the API's own names are English).
PRESETS = {
    "visits": (N_("Visits"), N_("Sessions on the website or app in the period.")),
    "conversion_rate": (N_("Conversion rate"), N_("Share of sessions that end in an order or a lead, in percent.")),
    "bounce_rate": (N_("Bounce rate"), N_("Share of sessions that leave after one page, in percent; lower is better.")),
    "revenue": (N_("Revenue"), N_("Revenue from the digital channels, excluding VAT.")),
    "cost": (N_("Cost"), N_("Money spent: media, agencies, tools; lower is better.")),
    "hours_spent": (N_("Hours spent"), N_("Hours the team logs on the work, kept within the planned band.")),
    "articles_published": (N_("Articles published"), N_("Articles, guides and posts published.")),
    "campaigns_run": (N_("Campaigns run"), N_("Newsletter, social and paid campaigns launched.")),
    "nps": (
        N_("Net Promoter Score"),
        N_("From the customer survey, −100 to 100; the latest score of the period counts."),
    ),
    "csat": (N_("Customer satisfaction (CSAT)"), N_("Share of satisfied answers in the survey, in percent.")),
    "complaints": (N_("Complaints"), N_("Complaints received across all channels; lower is better.")),
    "time_to_answer": (
        N_("Time to answer"),
        N_("Hours from a question or complaint arriving to the first answer; lower is better."),
    ),
}

KPI_ERRORS = {
    "name": N_("Enter a name of at most 200 characters that no other KPI uses."),
    "description": N_("Use at most 2,000 characters."),
    "unit": N_("Choose a unit."),
    "currency_code": N_("Money needs a three-letter currency code such as NOK or EUR; other units none."),
    "direction": N_("Choose which way is better."),
    "aggregation": N_("Choose how values combine over a period."),
    "category": N_("Choose input, activity or result."),
    "surface_id": N_("Choose an active surface, or none."),
    "owner_id": N_("Choose a member of this workspace, or no owner."),
    "expected_frequency": N_("Choose how often a value is expected."),
    "baseline_value": N_("Enter the baseline as a number, for example 1200 or 3.5."),
    "baseline_date": N_("Enter the baseline's date, or leave the field empty."),
    "threshold_mode": N_("Choose relative or absolute thresholds."),
    "amber_threshold": N_("Relative thresholds are shares from 0 to 1, e.g. 0.9; absolute ones need both values."),
    "red_threshold": N_("The red threshold must lie beyond the amber one, and relative ones between 0 and 1."),
    "source": N_("Choose where the values come from. A KPI with a formula is derived."),
    "formula": N_(
        "The formula could not be used. Name other KPIs in brackets, e.g. [Cost] / [Visits], "
        "and do not let formulas refer to each other in a circle."
    ),
}
NAME_TAKEN = N_("Another active KPI already has this name.")
TARGET_ERROR = N_("Enter the target as a number, for example 1200 or 3.5, or leave the field empty.")
# What the API's detail says (kpis/status.py, kpis/formula.py, kpis/service.py) → a message that says what is
# wrong and, for a formula, where (the API's 1-based position: the character the problem starts at).
THRESHOLD_SHARE = N_(
    "A relative threshold is a share of the target between 0 and 1, e.g. 0.9 for 90 %%; it cannot be negative."
)
THRESHOLD_ORDER = N_(
    "The amber threshold must not lie beyond the red one: amber warns first, so with relative thresholds "
    "or when higher is better it is the larger number, when lower is better the smaller."
)
THRESHOLD_BOTH = N_("Absolute thresholds need both an amber and a red value.")
FORMULA_UNKNOWN = N_(
    "No active KPI is called [%(name)s] (at character %(position)s). Check the spelling, or write its number as [#12]."
)
FORMULA_NO_ID = N_("There is no KPI number %(id)s in this workspace (at character %(position)s).")
FORMULA_ARCHIVED = N_("The KPI at character %(position)s is archived. Restore it or use another one.")
FORMULA_UNCLOSED = N_("The bracket opened at character %(position)s is not closed: write ] after the KPI's name.")
FORMULA_EMPTY_REF = N_("The brackets at character %(position)s are empty: write a KPI's name between them.")
FORMULA_SYNTAX = N_(
    "The formula cannot be read from character %(position)s on. Use KPIs in brackets, numbers, "
    "+ − × ÷ and parentheses that are closed again."
)
FORMULA_SELF = N_("A KPI cannot use itself in its formula.")
FORMULA_NO_KPI = N_("A formula must use at least one KPI, for example [Cost] / [Conversions].")
FORMULA_CIRCLE = N_("The formulas would go round in a circle: %(names)s.")
FORMULA_PATTERNS = (
    (re.compile(r"unknown KPI \[(?P<name>.*)\] at position (?P<position>\d+)"), FORMULA_UNKNOWN),
    (re.compile(r"no KPI (?P<id>\d+) in this workspace \(\[#\d+\] at position (?P<position>\d+)"), FORMULA_NO_ID),
    (re.compile(r"at position (?P<position>\d+)\) is archived"), FORMULA_ARCHIVED),
    (re.compile(r"position (?P<position>\d+): '\[' without a closing"), FORMULA_UNCLOSED),
    (re.compile(r"position (?P<position>\d+): empty KPI reference"), FORMULA_EMPTY_REF),
    (re.compile(r"position (?P<position>\d+)"), FORMULA_SYNTAX),
    (re.compile(r"cannot use itself"), FORMULA_SELF),
    (re.compile(r"at least one KPI"), FORMULA_NO_KPI),
    (re.compile(r"circle: (?P<names>.*)"), FORMULA_CIRCLE),
)
TEXT_FIELDS = (
    "name",
    "description",
    "unit",
    "currency_code",
    "direction",
    "aggregation",
    "category",
    "surface_id",
    "owner_id",
    "expected_frequency",
    "baseline_value",
    "baseline_date",
    "threshold_mode",
    "amber_threshold",
    "red_threshold",
    "formula",
    "source",
    "target",
)


def read(data: FormData) -> dict[str, str]:
    """The submitted form, as the template shows it again."""
    return {f: str(data.get(f, "")).strip() for f in TEXT_FIELDS}


def blank(owner_id: int | None = None, surface_id: int | None = None) -> dict[str, str]:
    """A new KPI: a monthly result, higher is better, owned by whoever adds it."""
    form = dict.fromkeys(TEXT_FIELDS, "")
    form.update(
        unit="number",
        direction="higher_is_better",
        aggregation="sum",
        category="result",
        threshold_mode="relative",
        expected_frequency="month",
        source="manual",
        owner_id=str(owner_id or ""),
        surface_id=str(surface_id or ""),
    )
    return form


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def of_kpi(kpi: dict[str, Any]) -> dict[str, str]:
    """The edit form of a KPI (or a library preset) as the API gives it; the formula with names, not ids."""
    form = {f: as_text(kpi.get(f)) for f in TEXT_FIELDS}
    if kpi.get("formula_display"):
        form["formula"] = kpi["formula_display"]
    return form


def from_preset(preset: dict[str, Any], owner_id: int | None, lang_gettext=None) -> dict[str, str]:
    """The add form filled from a library preset, its name and description in the page's language."""
    form = blank(owner_id)
    form.update({k: v for k, v in of_kpi(preset).items() if v and k not in ("owner_id", "surface_id")})
    name, description = PRESETS.get(str(preset.get("key")), (None, None))
    if lang_gettext and name:
        form["name"], form["description"] = lang_gettext(name), lang_gettext(description)
    return form


def number(text: str) -> Any:
    """A number as typed ("1 234,5" too); text that is no number goes to the API as it is, which names it."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return text


def payload(form: dict[str, str], *, creating: bool, formula_known: bool = True) -> dict[str, Any]:
    """The JSON the API takes: empty optional fields null (left out on create)."""
    out: dict[str, Any] = {
        "name": form["name"],
        "description": form["description"] or None,
        "unit": form["unit"] or None,
        "currency_code": form["currency_code"] if form["unit"] == "currency" and form["currency_code"] else None,
        "direction": form["direction"] or None,
        "aggregation": form["aggregation"] or None,
        "category": form["category"] or None,
        "surface_id": int_or_none(form["surface_id"]),
        "owner_id": int_or_none(form["owner_id"]),
        "expected_frequency": form["expected_frequency"] or None,
        "baseline_value": number(form["baseline_value"]) if form["baseline_value"] else None,
        "baseline_date": form["baseline_date"] or None,
        "threshold_mode": form["threshold_mode"] or None,
        "amber_threshold": number(form["amber_threshold"]) if form["amber_threshold"] else None,
        "red_threshold": number(form["red_threshold"]) if form["red_threshold"] else None,
        "formula": form["formula"] or None,
        "source": form["source"] if form["source"] in OWN_SOURCES and not form["formula"] else None,
    }
    if not formula_known:
        del out["formula"]
    if out["source"] is None:
        del out["source"]  # derived, or not chosen: the service decides
    if creating:
        return {k: v for k, v in out.items() if v is not None or k in ("name", "category")}
    return out


def library(body: Any) -> list[dict[str, Any]]:
    """The presets of GET /api/v1/kpis/library, whether it answers a list or {data: [...]}."""
    items = body.get("data") if isinstance(body, dict) else body
    return [p for p in items or [] if isinstance(p, dict) and p.get("key")]


def target_value(form: dict[str, str]) -> float | None:
    """The add form's target as a number (None when empty); ValueError for text or a number the API refuses."""
    if not form.get("target"):
        return None
    value = number(form["target"])
    if not isinstance(value, float) or not math.isfinite(value) or abs(value) > 1e15:
        raise ValueError(form["target"])
    return value


def errors(answer: Answer) -> dict[str, str]:
    """A 422 of the KPI API as messages beside the fields, saying what is wrong (and where, in a formula)."""
    if answer.status == 409:
        return {"name": NAME_TAKEN}
    out = answer.field_errors(KPI_ERRORS)
    problems = answer.body.get("errors") if isinstance(answer.body, dict) else None
    for item in problems or []:
        field, detail = str(item.get("field") or "").split(".")[0], str(item.get("detail") or "")
        if field in ("amber_threshold", "red_threshold"):
            if "between 0 and 1" in detail:
                out[field] = THRESHOLD_SHARE
            elif "amber threshold" in detail:
                out["amber_threshold"] = out["red_threshold"] = THRESHOLD_ORDER
            elif "need both" in detail:
                out[field] = THRESHOLD_BOTH
        elif field == "baseline_date" and out_of_range(item):
            out[field] = DATE_RANGE
        elif field == "formula":
            out[field] = formula_message(detail)
    return out


def formula_message(detail: str) -> str:
    """The API's formula problem in the page's words, with the position it names."""
    for pattern, message in FORMULA_PATTERNS:
        found = pattern.search(detail)
        if found:
            return Said(message, **found.groupdict())
    return KPI_ERRORS["formula"]
