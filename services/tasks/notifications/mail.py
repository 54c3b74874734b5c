"""Email of notifications: the message (text and HTML parts, in the recipient's language) and the SMTP send.

The Message-ID derives from the delivery's key, so the same delivery sent twice (a worker killed between the
SMTP answer and marking it sent) is the same message to the mail client."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from html import escape

import aiosmtplib

from services.tasks.config import TasksSettings
from services.tasks.events.models import Event
from services.tasks.notifications import messages
from services.tasks.notifications.recipients import Recipient

SETTINGS_PATH = "/settings/notifications"


@dataclass(frozen=True, slots=True)
class Smtp:
    host: str
    port: int
    tls: str
    user: str | None
    password: str | None
    sender: str
    timeout: float

    @classmethod
    def of(cls, cfg: TasksSettings) -> Smtp | None:
        """The SMTP settings, or None: email is off when no host is set."""
        if not cfg.smtp_host:
            return None
        return cls(
            cfg.smtp_host,
            cfg.smtp_port,
            cfg.smtp_tls,
            cfg.smtp_user,
            cfg.smtp_password,
            cfg.smtp_from,
            cfg.smtp_timeout,
        )


def message_id(key: str, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "effekt.invalid"
    return f"<notify.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def _url(base: str, link: str | None) -> str:
    return base.rstrip("/") + (link or "/inbox")


def compose(
    *, key: str, digest: bool, events: list[Event], to: Recipient, sender: str, base_url: str, date=None
) -> EmailMessage:
    lang = messages.language(to.locale)
    lines = [(messages.text(e.kind, e.params, lang), _url(base_url, e.link)) for e in events]
    if digest:
        subject = messages.plural(messages.DIGEST_SUBJECT, len(events), lang)
    elif len(events) > 1:
        run = events[0].params.get("run", messages.MISSING)
        subject = messages.plural(messages.MERGED_SUBJECT, len(events), lang, run=run)
    else:
        subject = lines[0][0]
    gettext = messages.translations(lang).gettext
    settings_url = _url(base_url, SETTINGS_PATH)
    intro = gettext(messages.DIGEST_INTRO) if digest else ""
    text = [intro, ""] if intro else []
    for words, url in lines:
        text += [f"- {words}", f"  {url}"]
    text += ["", "-- ", gettext(messages.SETTINGS_LINE), settings_url]
    items = "".join(
        f'<li><p>{escape(words)}</p><p><a href="{escape(url)}">{escape(gettext(messages.OPEN))}</a></p></li>'
        for words, url in lines
    )
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(subject)}</title></head>'
        f"<body>{f'<p>{escape(intro)}</p>' if intro else ''}<ul>{items}</ul><hr>"
        f'<p>{escape(gettext(messages.SETTINGS_LINE))} <a href="{escape(settings_url)}">'
        f"{escape(gettext(messages.SETTINGS))}</a></p></body></html>"
    )
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = formataddr((to.name, to.email)) if to.name else to.email
    msg["Message-ID"] = message_id(key, sender)
    msg["Auto-Submitted"] = "auto-generated"
    msg["List-Unsubscribe"] = f"<{settings_url}>"
    if date is not None:
        msg["Date"] = format_datetime(date)
    msg.set_content("\n".join(text) + "\n")
    msg.add_alternative(html, subtype="html")
    msg["Content-Language"] = lang  # after the parts: making them moves Content-* headers into the first
    return msg


async def send(smtp: Smtp, msg: EmailMessage) -> None:
    """Send over SMTP; raises aiosmtplib.SMTPException or OSError when the server refuses or is away."""
    await aiosmtplib.send(
        msg,
        hostname=smtp.host,
        port=smtp.port,
        username=smtp.user,
        password=smtp.password,
        use_tls=smtp.tls == "tls",
        start_tls=True if smtp.tls == "starttls" else False,
        timeout=smtp.timeout,
    )
