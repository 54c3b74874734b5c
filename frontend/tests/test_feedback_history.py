"""A feedback item's history in words, translated: the service's actions and details are never shown raw."""

from __future__ import annotations

from types import SimpleNamespace

from frontend.feedback_history import describe
from frontend.pages import feedback
from frontend.templating import gettext_functions, templates

EVENTS = [
    {"action": "created", "detail": "web_form", "user_id": None},
    {"action": "created", "detail": "email (import)", "user_id": 3},
    {"action": "category", "detail": "12", "user_id": 3},
    {"action": "owner", "detail": "3", "user_id": 3},
    {"action": "owner", "detail": "None", "user_id": 3},
    {"action": "kind", "detail": "praise", "user_id": 3},
    {"action": "answered", "detail": "We are <b>sorry</b>", "user_id": 3},
    {"action": "state", "detail": "answered → resolved", "user_id": 3},
    {"action": "noted", "detail": None, "user_id": 3},
    {"action": "erased", "detail": "retention 24 months", "user_id": None},
    {"action": "erased", "detail": None, "user_id": 3},
    {"action": "merged", "detail": "into 9", "user_id": 3},
]


def lines(lang: str) -> list[str]:
    template = templates.env.from_string(
        '{% from "_feedback_macros.html" import event_text with context %}'
        "{% for e in history %}{{ event_text(e) }}\n{% endfor %}"
    )
    html = template.render(
        history=[describe(e) for e in EVENTS],
        categories={12: {"id": 12, "key": "staff_service", "name": "Staff and service"}},
        members={3: SimpleNamespace(name="Anna")},
        lang=lang,
        **{k: v for k, v in feedback._common(SimpleNamespace(role=SimpleNamespace(at_least=lambda r: True))).items()},
        **gettext_functions(lang),
    )
    return [" ".join(line.split()) for line in html.strip().split("\n")]


def test_every_step_is_said_in_words():
    assert lines("en") == [
        "Received through Web form",
        "Imported from a file (Email)",
        "Categorised as Staff and service",
        "Assigned to Anna",
        "No longer assigned",
        "Kind changed to Praise",
        "Answered: <q>We are &lt;b&gt;sorry&lt;/b&gt;</q>",
        "Moved from Answered to Resolved",
        "Internal notes changed",
        "Personal data erased after 24 months (the workspace's retention)",
        "Personal data erased on request",
        "merged: into 9",  # a step this page does not know yet: as the service says it
    ]


def test_the_history_is_translated():
    sv = lines("sv")
    assert sv[0] == "Mottagen via Webbformulär" or sv[0].startswith("Mottagen via ")
    assert sv[7] == "Flyttad från Besvarad till Löst"
    assert sv[2] == "Kategoriserad som Personal och service"
    assert lines("fi")[9].startswith("Henkilötiedot poistettu 24")
