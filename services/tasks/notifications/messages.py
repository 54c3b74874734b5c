"""The words of a notification, in the reader's language: one message per event kind, filled from its params.

The catalogs are this package's own (locale/<lang>/LC_MESSAGES/notifications.po, compiled in memory at first
use), so the inbox (through the API) and the email say the same thing in the same words."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from services.tasks.events.models import EventKind

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "nb", "sv", "fi")
DEFAULT = "en"
MISSING = "…"


def N_(message: str) -> str:
    return message


MESSAGES: dict[EventKind, str] = {
    EventKind.assigned: N_("“%(task)s” in %(run)s is yours now"),
    EventKind.approval_requested: N_("“%(task)s” in %(run)s waits for your approval"),
    EventKind.sent_back: N_("“%(task)s” in %(run)s was sent back to you"),
    EventKind.replan_proposed: N_("A new plan is proposed for %(run)s"),
    EventKind.reassigned_away: N_("“%(task)s” in %(run)s went to someone else"),
    EventKind.run_finished: N_("%(run)s is finished"),
    EventKind.due_48h: N_("“%(task)s” in %(run)s is due in two days (%(due)s)"),
    EventKind.due_24h: N_("“%(task)s” in %(run)s is due tomorrow (%(due)s)"),
    EventKind.overdue: N_("“%(task)s” in %(run)s is overdue (due %(due)s)"),
    EventKind.escalated: N_("“%(task)s” in %(run)s is overdue and needs you as the run’s owner"),
    EventKind.cycle_opened: N_("The measurement cycle %(cycle)s is open"),
    EventKind.kpi_stale: N_("%(kpi)s has had no new value for too long"),
    EventKind.import_finished: N_("The import %(file)s is finished"),
    EventKind.import_failed: N_("The import %(file)s failed"),
    EventKind.connector_failing: N_("The connector %(connector)s failed %(runs)s scheduled runs in a row: %(error)s"),
    EventKind.action_done: N_("The action “%(action)s” is done"),
    EventKind.effect_evaluated: N_("The effect of “%(action)s” has been judged"),
}
MERGED_SUBJECT = ("%(count)s update on %(run)s", "%(count)s updates on %(run)s")
DIGEST_SUBJECT = ("Your Effekt digest: %(count)s notification", "Your Effekt digest: %(count)s notifications")
DIGEST_INTRO = N_("What happened since your last digest:")
OPEN = N_("Open in Effekt")
SETTINGS = N_("Notification settings")
SETTINGS_LINE = N_("You get this email because of your notification settings. Change them here:")


@lru_cache
def translations(lang: str) -> NullTranslations:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "notifications.po"
    if lang == DEFAULT or not path.exists():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def language(code: str | None) -> str:
    code = (code or "").lower().split("-")[0]
    return {"no": "nb", "nn": "nb"}.get(code, code) if code in (*LANGUAGES, "no", "nn") else DEFAULT


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return MISSING


def _values(params: dict[str, Any], lang: str) -> _Params:
    out = _Params()
    for key, value in (params or {}).items():
        if key == "due" and isinstance(value, str):
            try:
                value = format_date(date.fromisoformat(value[:10]), format="medium", locale=lang)
            except ValueError:
                pass
        out[key] = str(value)
    return out


def gettext(message: str, lang: str) -> str:
    return translations(language(lang)).gettext(message)


def text(kind: EventKind | str, params: dict[str, Any], lang: str) -> str:
    """The message of one event in `lang`."""
    lang = language(lang)
    message = MESSAGES.get(EventKind(kind), "%(kind)s")
    return translations(lang).gettext(message) % _values({"kind": str(kind), **(params or {})}, lang)


def plural(forms: tuple[str, str], count: int, lang: str, **params: Any) -> str:
    lang = language(lang)
    return translations(lang).ngettext(forms[0], forms[1], count) % _values({"count": count, **params}, lang)
