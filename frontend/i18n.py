"""UI languages: English in the templates, bokmål, Swedish and Finnish from Babel catalogs (.po, read at start)."""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = {"en": "English", "nb": "Norsk bokmål", "sv": "Svenska", "fi": "Suomi"}
DEFAULT = "en"
COOKIE = "effekt_lang"
# Browsers say "no" or "nn" for Norwegian; bokmål is what we have.
ALIASES = {"no": "nb", "nn": "nb"}


def load_catalog(lang: str) -> Catalog:
    """A language's messages: messages.po, then every other .po of its folder (one per area of the UI)."""
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    paths = sorted(folder.glob("*.po"), key=lambda p: (p.name != "messages.po", p.name))
    catalog: Catalog | None = None
    for path in paths:
        with path.open("rb") as f:
            part = read_po(f, locale=lang)
        if catalog is None:
            catalog = part
            continue
        for message in part:
            if message.id:
                catalog[message.id] = message  # the same msgid in two files: the later file wins
    return catalog if catalog is not None else Catalog(locale=lang)


@lru_cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of a language, compiled in memory from its .po files (no .mo files to build or commit)."""
    if lang == DEFAULT or not (LOCALE_DIR / lang).exists():
        return Translations()
    catalog = load_catalog(lang)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def pick_language(request: Request, preferred: str | None = None) -> str:
    """The cookie's choice, else the user's saved one, else the browser's Accept-Language, else English."""
    for candidate in (request.cookies.get(COOKIE), preferred):
        if candidate in LANGUAGES:
            return candidate
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        code = ALIASES.get(code, code)
        if code in LANGUAGES:
            return code
    return DEFAULT
