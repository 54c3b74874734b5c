"""Reading an import file (CSV or XLSX) and checking each line: plain Python per line, no pydantic per row."""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kit.fields import FIRST_DAY, LAST_DAY, MAX_VALUE
from services.metrics.feedback.models import Channel
from services.metrics.imports.headers import FEEDBACK_HEADERS, HEADERS, KPI_WORDS
from services.metrics.imports.models import PREVIEW_ROWS, ROLES, ColumnRole, ImportMapping, ImportTarget
from services.metrics.kpis.models import Source
from services.metrics.observations.models import Period

ZIP_MAGIC = b"PK\x03\x04"
DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")
YEAR_MONTH_DAY = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
SPACES = str.maketrans("", "", " \u00a0\u202f'")
MAX_NOTE = 2000
# Header words (lower case, letters and digits only) in English, Norwegian, Swedish and Finnish.
PERIODS = {
    word: period
    for period, words in {
        Period.day: ("day", "daily", "d", "dag", "daglig", "päivä", "paiva", "päivittäin"),
        Period.week: ("week", "weekly", "w", "uke", "vecka", "veke", "ukentlig", "viikko", "veckovis"),
        Period.month: ("month", "monthly", "m", "måned", "maned", "månad", "manad", "kuukausi", "månedlig", "månatlig"),
    }.items()
    for word in words
}
SOURCES = {s.value: s.value for s in Source}


def file_format(filename: str, data: bytes) -> str:
    """xlsx for a zip (what an .xlsx is), else csv."""
    return "xlsx" if data.startswith(ZIP_MAGIC) or filename.lower().endswith(".xlsx") else "csv"


def _text(data: bytes) -> str:
    """UTF-8 (a BOM dropped), else Windows-1252 as Excel on Windows saves CSV."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    text = _text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text[: text.find("\n")]))
    for row in reader:
        yield reader.line_num, row


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # only when an XLSX comes: it is slow to import

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for row in book.worksheets[0].iter_rows(values_only=False):
            if row and hasattr(row[0], "row"):
                line = row[0].row
            else:
                continue
            yield line, ["" if c.value is None else c.value for c in row]
    finally:
        book.close()


def rows(fmt: str, data: bytes) -> Iterator[tuple[int, list[Any]]]:
    """(line, cells) of every line, the header first; ValueError if the file cannot be read at all."""
    try:
        yield from (_xlsx_rows(data) if fmt == "xlsx" else _csv_rows(data))
    except (csv.Error, KeyError, OSError) as exc:
        raise unreadable(fmt, exc) from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged zip
        if fmt == "xlsx":
            raise ValueError(f"the file cannot be read as XLSX: {type(exc).__name__}") from None
        raise


def cells(fmt: str, data: bytes) -> tuple[Iterator[list[Any]], Callable[[], int]]:
    """The cells of every line, the header first, and a function giving the number of the line last read: for a
    CSV the csv module's reader itself, as no generator in between costs time per line. Reading may raise
    csv.Error (see unreadable)."""
    if fmt == "xlsx":
        state = [0]

        def numbered() -> Iterator[list[Any]]:
            for state[0], row in rows(fmt, data):
                yield row

        return numbered(), lambda: state[0]
    text = _text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text[: text.find("\n")]))
    return reader, lambda: reader.line_num


def unreadable(fmt: str, exc: Exception) -> ValueError:
    """What rows() raises for a file that cannot be read."""
    return ValueError(f"the file cannot be read as {fmt.upper()}: {exc}")


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def head(fmt: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header's column names and the first lines as text."""
    columns: list[str] = []
    preview: list[list[str]] = []
    for index, (_, cells) in enumerate(rows(fmt, data)):
        if index == 0:
            columns = [_shown(c).strip()[:255] for c in cells]
        elif any(_shown(c).strip() for c in cells):
            preview.append([_shown(c)[:200] for c in cells])
        if len(preview) >= PREVIEW_ROWS:
            break
    if not columns or not any(columns):
        raise ValueError("the file has no header line")
    return columns, preview


def _word(header: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFC", header.lower()) if ch.isalnum())


def suggest(
    columns: list[str], preview: list[list[str]] | None = None, target: ImportTarget = ImportTarget.observations
) -> ImportMapping:
    """A role per column from its header, each role at most once; a KPI id beats a bare "id" column. Without a
    value column, a column named like a KPI ("Besøk") holds the values. Without a period column, the period is
    read from the preview's dates: all on the 1st is a month, all on Mondays a week, else a day."""
    roles: list[ColumnRole] = []
    taken: set[ColumnRole] = set()
    headers = FEEDBACK_HEADERS if target == ImportTarget.feedback_items else HEADERS
    for header in columns:
        word = _word(header)
        role = next((r for r, words in headers.items() if word in words and r not in taken), ColumnRole.ignore)
        if role in (ColumnRole.kpi_id, ColumnRole.kpi_name) and taken & {ColumnRole.kpi_id, ColumnRole.kpi_name}:
            role = ColumnRole.ignore
        taken.add(role)
        roles.append(role)
    if target == ImportTarget.feedback_items:
        return ImportMapping(columns=roles, channel=None if ColumnRole.channel in taken else Channel.other)
    if ColumnRole.value not in taken:
        named = next(
            (i for i, h in enumerate(columns) if roles[i] == ColumnRole.ignore and _word(h) in KPI_WORDS), None
        )
        if named is not None:
            roles[named] = ColumnRole.value
    period = None
    if ColumnRole.period not in taken:
        start = roles.index(ColumnRole.period_start) if ColumnRole.period_start in roles else None
        period = _period_of([line[start] for line in preview or [] if start < len(line)] if start is not None else [])
    return ImportMapping(columns=roles, period=period)


def _period_of(cells: list[str]) -> Period:
    """The period the dates of a column suggest: month when every date is a 1st, week when every one is a Monday."""
    days = []
    for cell in cells:
        try:
            days.append(_parse_date(cell))
        except (ValueError, TypeError):
            continue
    if days and all(d.day == 1 for d in days):
        return Period.month
    if len(days) > 1 and all(d.weekday() == 0 for d in days):
        return Period.week
    return Period.day


def mapping_problems(
    mapping: ImportMapping, columns: list[str], target: ImportTarget = ImportTarget.observations
) -> list[tuple[str, str]]:
    """(field, message) for a mapping that cannot work on these columns."""
    problems: list[tuple[str, str]] = []
    if len(mapping.columns) != len(columns):
        return [("columns", f"give one role for each of the {len(columns)} columns")]
    seen: dict[ColumnRole, int] = {}
    allowed = ROLES[target]
    for index, role in enumerate(mapping.columns):
        if role not in allowed:
            problems.append((f"columns.{index}", f"{role.value} is not a column of {target.value.replace('_', ' ')}"))
        elif role != ColumnRole.ignore and role in seen:
            problems.append((f"columns.{index}", f"{role.value} is already column {seen[role] + 1}"))
        seen.setdefault(role, index)
    if target == ImportTarget.feedback_items:
        if ColumnRole.channel not in seen and mapping.channel is None:
            problems.append(("channel", "choose the column with the channel, or one channel for all lines"))
        for role in (ColumnRole.received_at, ColumnRole.text):
            if role not in seen:
                problems.append(("columns", f"choose the column with the {role.value.replace('_', ' ')}"))
        return problems
    kpi_columns = {ColumnRole.kpi_id, ColumnRole.kpi_name} & seen.keys()
    if len(kpi_columns) > 1:
        problems.append(("columns", "name the KPI by one column only: its name or its id"))
    if not kpi_columns and mapping.kpi_id is None:
        problems.append(("kpi_id", "choose the column with the KPI (name or id), or one KPI for all lines"))
    if ColumnRole.period not in seen and mapping.period is None:
        problems.append(("period", "choose the column with the period, or one period for all lines"))
    for role in (ColumnRole.period_start, ColumnRole.value):
        if role not in seen:
            problems.append(("columns", f"choose the column with the {role.value.replace('_', ' ')}"))
    return problems


class OutOfRange(ValueError):
    """A date or number that reads well but lies outside what the API takes (kit.fields)."""


def parse_date(raw: Any) -> date:
    """A day from ISO (2026-03-01, or with a time), 01.03.2026, 2026/03/01, 2026-03 or a spreadsheet date."""
    day = _parse_date(raw)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfRange(f"{day.isoformat()} is outside {FIRST_DAY.year}–{LAST_DAY.year}")
    return day


def _parse_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    if len(text) >= 10 and text[4] == "-":
        return date.fromisoformat(text[:10])
    for pattern, order in ((DAY_MONTH_YEAR, (3, 2, 1)), (YEAR_MONTH_DAY, (1, 2, 3))):
        match = pattern.fullmatch(text)
        if match:
            return date(*(int(match.group(i)) for i in order))
    match = YEAR_MONTH.fullmatch(text)
    if match:
        return date(int(match.group(1)), int(match.group(2)), 1)
    raise ValueError(text)


CLOCK = re.compile(r"[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")


def parse_moment(raw: Any, tz: ZoneInfo) -> datetime:
    """A moment from a date with an optional time (2026-03-01 14:05, 01.03.2026 14.05, ISO with an offset, a
    spreadsheet date-time); without an offset it is the workspace's local time. Answered in UTC."""
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, date):
        moment = datetime.combine(raw, datetime.min.time())
    else:
        text = str(raw).strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            clock = CLOCK.search(text)
            day = parse_date(text[: clock.start()] if clock else text)
            hour, minute, second = (int(g or 0) for g in clock.groups()) if clock else (0, 0, 0)
            moment = datetime(day.year, day.month, day.day, hour, minute, second)
    if not FIRST_DAY <= moment.date() <= LAST_DAY:
        raise OutOfRange(f"{moment.date().isoformat()} is outside {FIRST_DAY.year}–{LAST_DAY.year}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def parse_value(raw: Any) -> float:
    """A number; decimal commas and thousands separators (space, point, comma, apostrophe) are understood."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        value = float(raw)
    else:
        text = str(raw).strip()
        try:
            value = float(text)
        except ValueError:
            text = text.translate(SPACES)
            if "," in text:
                if "." in text and text.rfind(".") > text.rfind(","):
                    text = text.replace(",", "")
                else:
                    text = text.replace(".", "").replace(",", ".")
            value = float(text)
    if not math.isfinite(value):
        raise ValueError(raw)
    if abs(value) > MAX_VALUE:
        raise OutOfRange(f"{value:g} is beyond ±{MAX_VALUE:g}")
    return value
