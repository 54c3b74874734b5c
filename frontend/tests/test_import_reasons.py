"""The import's bad-line reasons, as the metrics service words them, are each said again in the page's words."""

from __future__ import annotations

import pytest

from frontend import i18n
from frontend.import_reasons import reason

SAID = [  # (the service's reason, what the Norwegian page says)
    ("the KPI is missing", "KPI-en mangler."),
    ("no KPI named 'Besøk' in this workspace", "Ingen KPI heter «Besøk» i dette arbeidsområdet."),
    ("no KPI 12 in this workspace", "Det finnes ingen KPI 12 i dette arbeidsområdet."),
    ("'x1' is not a KPI id", "«x1» er ikke et KPI-nummer."),
    ("KPI 'Old' is archived; restore it first", "KPI-en «Old» er arkivert. Gjenopprett den først."),
    ("the period is missing", "Perioden mangler."),
    ("'year' is not a period: use day, week or month", "«year» er ikke en periode: bruk day, week eller month."),
    ("the period start date is missing", "Periodens startdato mangler."),
    (
        "'31.02.2026' is not a date: use 2026-03-01 or 01.03.2026",
        "«31.02.2026» er ikke en dato: bruk 2026-03-01 eller 01.03.2026.",
    ),
    ("1850-01-01 is outside 1900–2200", "1850-01-01 ligger utenfor årene 1900 til 2200."),
    (
        "a week starts on a Monday; 2026-03-03 is a Tuesday",
        "En uke starter på en mandag; 2026-03-03 er ikke en mandag.",
    ),
    ("a month starts on the 1st; 2026-03-03 is not", "En måned starter den 1.; 2026-03-03 gjør ikke det."),
    ("the value is missing", "Verdien mangler."),
    ('"it\'s" is not a number', "«it's» er ikke et tall."),
    ("'50%' is not a number", "«50%» er ikke et tall."),
    (
        "the same KPI, period, start and source as an earlier line",
        "Samme KPI, periode, start og kilde som en tidligere linje.",
    ),
]


def say(text: str, lang: str) -> str:
    said = reason(text)
    return i18n.translations(lang).gettext(str(said)) % said.params


@pytest.mark.parametrize(("text", "norwegian"), SAID)
def test_each_reason_is_said_in_norwegian(text, norwegian):
    assert say(text, "nb") == norwegian


def test_an_unknown_reason_is_shown_as_it_came_and_a_note_limit_has_a_count():
    assert say("something new, 100 %", "sv") == "something new, 100 %"
    note = reason("a note has at most 2000 characters and no NUL")
    assert str(note) == "note_limit" and note.params == {"count": 2000}
