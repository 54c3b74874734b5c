"""Every demo text has its three translations, and a stored text leads back to its English key."""

from __future__ import annotations

import pytest

from kit import demo_language
from kit.demo_language import LANGUAGES, TEXTS, english, say


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_is_said_and_leads_back(lang):
    for text, translations in TEXTS.items():
        assert len(translations) == 3 and all(t.strip() for t in translations), text
        assert english(say(text, lang)) == text


def test_the_language_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("EFFEKT_DEMO_LANGUAGE", "FI")
    assert demo_language.language() == "fi" and say("Visits") == "Käynnit"
    monkeypatch.setenv("EFFEKT_DEMO_LANGUAGE", "de")
    assert demo_language.language() == "en" and say("Visits") == "Visits"
    monkeypatch.delenv("EFFEKT_DEMO_LANGUAGE")
    assert say("Nettbutikk") == "Nettbutikk"  # a name stays a name
