"""Every message of the UI is translated in every catalog: a new untranslated string fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from frontend import i18n

FRONTEND = Path(__file__).resolve().parents[1]
LANGS = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]


def extracted() -> dict[tuple[str | tuple[str, ...], str | None], str]:
    """(msgid (a tuple for plural messages), msgctxt) → where it was found, extracted as babel.cfg says."""
    with (FRONTEND / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found: dict[str | tuple[str, ...], str] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(str(FRONTEND), method_map, options_map):
        if "tests" in Path(filename).parts:
            continue
        found.setdefault((message, context), f"{filename}:{lineno}")
    return found


def catalog(lang: str):
    return i18n.load_catalog(lang)


def test_extraction_finds_the_templates_and_the_role_names():
    messages = {message for message, _context in extracted()}
    assert "Sign in to Effekt" in messages  # signin.html
    assert ("%(count)s member", "%(count)s members") in messages  # a plural from home.html
    assert {"viewer", "editor", "admin", "owner"} <= messages  # pages/settings.py ROLE_LABELS
    assert ("Tactical means", "effect map column") in extracted()  # pgettext in pages/goals.py


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated(lang):
    cat = catalog(lang)
    problems = []
    for (msgid, context), where in extracted().items():
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = cat.get(key, context=context)
        if entry is None:
            problems.append(f"missing: {key!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {key!r} ({where})")
        elif isinstance(msgid, tuple) and (not isinstance(entry.string, tuple) or not all(entry.string)):
            problems.append(f"plural forms not filled: {key!r} ({where})")
        elif not isinstance(msgid, tuple) and not entry.string:
            problems.append(f"empty: {key!r} ({where})")
    assert not problems, f"{lang}: run pybabel extract/update (see frontend/babel.cfg) and translate:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_header_and_placeholders(lang):
    cat = catalog(lang)
    assert not cat.fuzzy, "the catalog header is marked fuzzy"
    assert cat.num_plurals == 2
    for entry in cat:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set().union(*(_placeholders(s) for s in ids))
        for s in strings:
            assert _placeholders(s) == wanted, f"{lang}: {entry.id!r} → {s!r} changes the placeholders"


def test_the_catalogs_compile():
    for lang in LANGS:
        i18n.translations.cache_clear()
        assert i18n.translations(lang).gettext("Sign out") != "Sign out"


def _placeholders(text: str) -> set[str]:
    import re

    return set(re.findall(r"%\(\w+\)s", text))
