"""The words of notifications: every message in every catalog, plural forms filled, and no message loses a name."""

from __future__ import annotations

import pytest

from services.tasks.events.models import EventKind
from services.tasks.notifications import messages

LANGS = [lang for lang in messages.LANGUAGES if lang != messages.DEFAULT]
NAMES = {"task": "@task@", "run": "@run@", "cycle": "@cycle@", "kpi": "@kpi@", "file": "@file@", "action": "@act@"}
PARAMS = {**NAMES, "due": "2026-06-05"}


@pytest.mark.parametrize("lang", LANGS)
def test_every_kind_is_translated_and_keeps_its_names(lang):
    for kind in EventKind:
        english, translated = messages.text(kind, PARAMS, "en"), messages.text(kind, PARAMS, lang)
        assert translated != english, (lang, kind)
        for name in NAMES.values():
            assert (name in english) == (name in translated), (lang, kind, name)
    for forms in (messages.MERGED_SUBJECT, messages.DIGEST_SUBJECT):
        one, many = messages.plural(forms, 1, lang, run="R"), messages.plural(forms, 3, lang, run="R")
        assert one != many and "1" in one and "3" in many
    for message in (messages.DIGEST_INTRO, messages.OPEN, messages.SETTINGS, messages.SETTINGS_LINE):
        assert messages.gettext(message, lang) != message


def test_unknown_languages_read_english_and_norwegian_aliases_read_bokmal():
    assert messages.language("de-DE") == "en" and messages.language("no") == "nb" and messages.language(None) == "en"
    assert messages.text("run_finished", {}, "en") == "… is finished"  # a missing name never breaks the text
