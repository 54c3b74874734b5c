"""Importing feedback items: the same file, mapping, preview and line-numbered report as values, other columns.

Every line is checked first; with any bad line nothing is stored unless the mapping says store_good. The good
items are filed as new in one transaction together with the import's end (items have no key to upsert on, so
a file is stored once: start_run refuses to run a done import of feedback again)."""

from __future__ import annotations

import csv
import unicodedata
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kit.fields import utcnow
from services.metrics.feedback import service as feedback
from services.metrics.feedback.hours import zone
from services.metrics.feedback.models import Channel, FeedbackCategory, FeedbackKind, Sentiment
from services.metrics.imports.check import blank
from services.metrics.imports.jobs import PROBLEM_BATCH, PROGRESS_EVERY, _finish, _progress
from services.metrics.imports.models import ColumnRole, ImportMapping, ImportProblem, ImportStatus, ObservationImport
from services.metrics.imports.parse import OutOfRange, cells, parse_moment, unreadable

# Cell words (lower case, letters and digits only) in English, Norwegian, Swedish and Finnish.
CHANNEL_WORDS = {
    Channel.facebook: ("facebook", "fb", "meta"),
    Channel.instagram: ("instagram", "ig", "insta"),
    Channel.linkedin: ("linkedin",),
    Channel.x: ("x", "twitter"),
    Channel.email: ("email", "mail", "epost", "mejl", "sähköposti", "sahkoposti", "sposti"),
    Channel.web_form: ("webform", "form", "skjema", "nettskjema", "webbformulär", "formulär", "verkkolomake", "lomake"),
    Channel.review_site: ("reviewsite", "review", "reviews", "anmeldelse", "recension", "arvostelu"),
    Channel.phone: ("phone", "telephone", "telefon", "puhelin", "call", "samtale", "samtal", "puhelu"),
    Channel.chat: ("chat", "chatt", "chatti", "livechat"),
    Channel.in_person: ("inperson", "personlig", "personligen", "irl", "henkilökohtaisesti", "paikan", "kasvokkain"),
    Channel.other: ("other", "annet", "annen", "annat", "annan", "övrigt", "muu"),
}
KIND_WORDS = {
    FeedbackKind.complaint: ("complaint", "klage", "reklamasjon", "klagomål", "klagomal", "reklamation", "valitus"),
    FeedbackKind.question: ("question", "spørsmål", "sporsmal", "fråga", "fraga", "kysymys"),
    FeedbackKind.praise: ("praise", "ros", "skryt", "beröm", "berom", "kehu", "kiitos"),
    FeedbackKind.suggestion: ("suggestion", "idea", "forslag", "förslag", "forslag", "ehdotus", "idé", "ide"),
}
SENTIMENT_WORDS = {
    Sentiment.negative: ("negative", "negativ", "negatiivinen", "neg", "bad", "dårlig", "dålig", "huono"),
    Sentiment.neutral: ("neutral", "nøytral", "noytral", "neutraali", "neu"),
    Sentiment.positive: ("positive", "positiv", "positiivinen", "pos", "good", "god", "bra", "hyvä", "hyva"),
}
# Without a sentiment column: what the kind usually means.
SENTIMENT_OF = {
    FeedbackKind.complaint: Sentiment.negative,
    FeedbackKind.question: Sentiment.neutral,
    FeedbackKind.suggestion: Sentiment.neutral,
    FeedbackKind.praise: Sentiment.positive,
}
LIMITS = {
    ColumnRole.text: ("text", 10_000),
    ColumnRole.customer_name: ("customer_name", 200),
    ColumnRole.customer_contact: ("customer_contact", 200),
    ColumnRole.link: ("link", 2000),
    ColumnRole.note: ("notes", 10_000),
}


def _word(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFC", text.lower()) if ch.isalnum())


def _words(table: dict) -> dict[str, Any]:
    return {_word(w): value for value, words in table.items() for w in (value.value, *words)}


CHANNELS, KINDS, SENTIMENTS = _words(CHANNEL_WORDS), _words(KIND_WORDS), _words(SENTIMENT_WORDS)


class FeedbackLineChecker:
    """One line's cells as an item's fields, or why not (column, reason)."""

    def __init__(self, mapping: ImportMapping, columns: list[str], categories: list[FeedbackCategory], tz: str):
        self.columns = columns
        self.index = {role: i for i, role in enumerate(mapping.columns) if role != ColumnRole.ignore}
        self.channel = mapping.channel
        self.zone = zone(tz)
        self.categories: dict[str, FeedbackCategory] = {}
        for c in categories:  # by name, and a built-in one by its key too; an active one wins
            for name in {c.name.strip().lower(), (c.key or "").lower()} - {""}:
                if name not in self.categories or not c.archived:
                    self.categories[name] = c

    def _cell(self, cells: list[Any], role: ColumnRole) -> tuple[str, Any] | None:
        """(column name, raw cell) of a role, None when no column has it or the cell is empty."""
        i = self.index.get(role)
        if i is None:
            return None
        raw = cells[i] if i < len(cells) else ""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raw = ""
        return (self.columns[i] if i < len(self.columns) else f"column {i + 1}"), raw

    def _choice(self, cells, role, words: dict, what: str, bad: list, default=None):
        found = self._cell(cells, role)
        if found is None or found[1] == "":
            return default
        column, raw = found
        value = words.get(_word(str(raw)))
        if value is None:
            known = ", ".join(sorted({v.value for v in words.values()}))
            bad.append((column, f"{str(raw)[:40]!r} is not a {what}: use {known}"))
        return value

    def line(self, cells: list[Any]) -> dict[str, Any] | list[tuple[str, str]]:
        bad: list[tuple[str, str]] = []
        row: dict[str, Any] = {}
        found = self._cell(cells, ColumnRole.received_at)
        if found is None or found[1] == "":
            bad.append((found[0] if found else "", "the date received is missing"))
        else:
            try:
                row["received_at"] = parse_moment(found[1], self.zone)
            except OutOfRange as exc:
                bad.append((found[0], str(exc)))
            except (ValueError, TypeError):
                bad.append((found[0], f"{str(found[1])[:40]!r} is not a date: use 2026-03-01 14:05 or 01.03.2026"))
        before = len(bad)
        channel = self._choice(cells, ColumnRole.channel, CHANNELS, "channel", bad, self.channel)
        if channel is None and len(bad) == before:
            bad.append((self._name(ColumnRole.channel), "the channel is missing"))
        row["channel"] = channel
        row["kind"] = self._choice(cells, ColumnRole.kind, KINDS, "kind", bad, FeedbackKind.complaint)
        row["sentiment"] = self._choice(
            cells, ColumnRole.sentiment, SENTIMENTS, "sentiment", bad, SENTIMENT_OF.get(row["kind"])
        )
        found = self._cell(cells, ColumnRole.category)
        row["category_id"] = None
        if found is not None and found[1] != "":
            category = self.categories.get(str(found[1]).strip().lower())
            if category is None:
                bad.append((found[0], f"no category named {str(found[1])[:60]!r} in this workspace"))
            elif category.archived:
                bad.append((found[0], f"the category {category.name!r} is archived"))
            else:
                row["category_id"] = category.id
        for role, (name, most) in LIMITS.items():
            found = self._cell(cells, role)
            text = str(found[1]).strip() if found is not None else ""
            if role == ColumnRole.text and not text:
                bad.append((found[0] if found else "", "the text is missing"))
            elif len(text) > most or "\x00" in text:
                bad.append((found[0], f"at most {most} characters and no NUL"))
            row[name] = text or None
        return bad or row

    def _name(self, role: ColumnRole) -> str:
        i = self.index.get(role)
        return "" if i is None else (self.columns[i] if i < len(self.columns) else f"column {i + 1}")


def run_feedback_import(engine: Engine, record: ObservationImport, data: bytes, mapping: ImportMapping) -> str:
    """Check every line, then store the good items (all or nothing, unless store_good); the status it ended in."""
    with Session(engine, expire_on_commit=False) as session:
        cats = list(session.exec(select(FeedbackCategory).where(FeedbackCategory.workspace_id == record.workspace_id)))
        if not cats:
            cats = feedback.categories(session=session, workspace_id=record.workspace_id)
            session.commit()
    checker = FeedbackLineChecker(mapping, record.columns, cats, record.timezone)
    good: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    total = bad_lines = 0
    lines, line_number = cells(record.file_format, data)

    def flush() -> None:
        with engine.begin() as conn:
            if problems:
                conn.execute(insert(ImportProblem.__table__), problems)
            _progress(conn, record.id, record.attempt, rows_checked=total, bad_lines=bad_lines)
        problems.clear()

    try:
        next(lines, None)  # the header
        for row in lines:
            if not row or blank(row):
                continue
            total += 1
            result = checker.line(row)
            if isinstance(result, list):
                bad_lines += 1
                problems.extend(
                    {"import_id": record.id, "line": line_number(), "column": c[:255] or None, "reason": r[:500]}
                    for c, r in result
                )
                if len(problems) >= PROBLEM_BATCH:
                    flush()
            else:
                good.append(result)
            if total % PROGRESS_EVERY == 0:
                flush()
    except csv.Error as exc:
        raise unreadable(record.file_format, exc) from None
    flush()
    with engine.begin() as conn:
        _progress(conn, record.id, record.attempt, rows_total=total)
    if bad_lines and not mapping.store_good:
        _finish(engine, record.id, record.attempt, ImportStatus.failed_validation)
        return ImportStatus.failed_validation.value
    with Session(engine) as session:  # the items and the import's end commit together
        made = feedback.create_items(
            session=session, workspace_id=record.workspace_id, user_id=record.user_id, rows=good, tz=record.timezone
        )
        _progress(
            session.connection(),
            record.id,
            record.attempt,
            status=ImportStatus.done,
            rows_done=made,
            created=made,
            replaced=0,
            finished_at=utcnow(),
        )
        session.commit()
    return ImportStatus.done.value
