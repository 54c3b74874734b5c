"""The demo company in the language chosen at first start (EFFEKT_DEMO_LANGUAGE, `effekt up --lang`; English by
default): its surfaces, goals, KPIs, cycle notes, findings and actions, in the four languages of the UI.

The demo seeds keep English as their keys (what one service hands the next in `refs`, what tests look for):
`say` gives the text to store, `english` the key of a stored text."""

from __future__ import annotations

import os
from functools import cache

from kit.demo_texts import TEXTS

LANGUAGES = ("en", "nb", "sv", "fi")


def language() -> str:
    """The demo's language: EFFEKT_DEMO_LANGUAGE when it is one of the UI's, else English."""
    chosen = (os.environ.get("EFFEKT_DEMO_LANGUAGE") or "en").strip().lower()
    return chosen if chosen in LANGUAGES else "en"


def say(text: str, lang: str | None = None) -> str:
    """The demo text in the demo's language (unchanged in English, and for names that are not translated)."""
    lang = lang or language()
    found = TEXTS.get(text)
    return found[LANGUAGES.index(lang) - 1] if found and lang != "en" else text


@cache
def _keys() -> dict[str, str]:
    return {translated: english for english, texts in TEXTS.items() for translated in texts}


def english(text: str) -> str:
    """The English key of a stored demo text (a text the demo did not write is its own key)."""
    return text if text in TEXTS else _keys().get(text, text)
