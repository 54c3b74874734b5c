"""Checking every line of an import against its mapping and the workspace's KPIs, naming what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from kit.fields import FIRST_DAY, LAST_DAY, MAX_VALUE
from services.metrics.imports.models import ColumnRole, ImportMapping
from services.metrics.imports.parse import MAX_NOTE, PERIODS, SOURCES, OutOfRange, parse_date, parse_value
from services.metrics.kpis.models import Kpi
from services.metrics.observations.models import Period, period_start_problem

# Codes in the order PostgreSQL sorts the words (C collation), so a key's number sorts as the unique key does.
# A key is kpi_id << 26 | period << 24 | date ordinal << 2 | source.
PERIOD_CODES = {"day": 0, "month": 1 << 24, "week": 2 << 24}
PERIOD_WORDS = {word: period.value for word, period in PERIODS.items()}
SOURCE_CODES = {"api": 0, "derived": 1, "import": 2, "manual": 3}
DAY_CACHE = 100_000  # distinct date texts remembered per run
CELL_CACHE = 10_000  # distinct KPI and period cells remembered per run
# A stored row: kpi_id, period, period_start, value, source, note.
Row = tuple[int, str, date, float, str, str | None]


@dataclass
class KpiCatalogue:
    """The workspace's KPIs as an import looks them up: by id and by name (case-insensitive), and why not."""

    by_id: dict[int, str | None] = field(default_factory=dict)  # id → problem, or None if it takes values
    by_name: dict[str, tuple[int, str | None]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, workspace_id: int) -> KpiCatalogue:
        """Every KPI of the workspace; an active KPI's name wins over an archived one's."""
        out = cls()
        for kpi in session.exec(select(Kpi).where(Kpi.workspace_id == workspace_id)).all():
            problem = None
            if getattr(kpi, "formula", None):
                problem = f"KPI {kpi.name!r} is derived from a formula; it takes no observations"
            elif kpi.archived:
                problem = f"KPI {kpi.name!r} is archived; restore it first"
            out.by_id[kpi.id] = problem
            key = kpi.name.strip().lower()
            if key not in out.by_name or not kpi.archived:
                out.by_name[key] = (kpi.id, problem)
        return out


class LineChecker:
    """Turns one line's cells into a row to store, or the reasons it cannot be stored (column, reason)."""

    def __init__(self, mapping: ImportMapping, columns: list[str], kpis: KpiCatalogue):
        self.kpis = kpis
        self.columns = columns
        index = {role: i for i, role in enumerate(mapping.columns) if role != ColumnRole.ignore}
        self.kpi_by_name = ColumnRole.kpi_name in index
        self.kpi_col = index.get(ColumnRole.kpi_name, index.get(ColumnRole.kpi_id))
        self.fixed_kpi = mapping.kpi_id
        self.period_col = index.get(ColumnRole.period)
        self.fixed_period = mapping.period.value if mapping.period else None
        self.start_col = index[ColumnRole.period_start]
        self.value_col = index[ColumnRole.value]
        self.source_col = index.get(ColumnRole.source)
        self.note_col = index.get(ColumnRole.note)
        self.fast = self._compile()

    def _name(self, col: int) -> str:
        return self.columns[col] if col < len(self.columns) else f"column {col + 1}"

    def _kpi(self, cells: list[Any], bad: list[tuple[str, str]]) -> int | None:
        if self.kpi_col is None:
            problem = self.kpis.by_id.get(self.fixed_kpi, f"no KPI {self.fixed_kpi} in this workspace")
            if problem:
                bad.append(("", problem))
                return None
            return self.fixed_kpi
        raw = cells[self.kpi_col] if self.kpi_col < len(cells) else ""
        text = str(raw).strip()
        column = self._name(self.kpi_col)
        if not text:
            bad.append((column, "the KPI is missing"))
            return None
        if self.kpi_by_name:
            kpi_id, problem = self.kpis.by_name.get(text.lower(), (None, f"no KPI named {text!r} in this workspace"))
        else:
            try:
                kpi_id = int(float(text)) if not text.isdigit() else int(text)
            except (ValueError, OverflowError):
                bad.append((column, f"{text!r} is not a KPI id"))
                return None
            problem = self.kpis.by_id.get(kpi_id, f"no KPI {kpi_id} in this workspace")
        if problem:
            bad.append((column, problem))
            return None
        return kpi_id

    def _period(self, cells: list[Any], bad: list[tuple[str, str]]) -> str | None:
        if self.period_col is None:
            return self.fixed_period
        raw = cells[self.period_col] if self.period_col < len(cells) else ""
        text = str(raw).strip().lower()
        period = PERIODS.get(text)
        if period is None:
            reason = "the period is missing" if not text else f"{text!r} is not a period: use day, week or month"
            bad.append((self._name(self.period_col), reason))
            return None
        return period.value

    def _start(self, cells: list[Any], period: str | None, bad: list[tuple[str, str]]) -> date | None:
        raw = cells[self.start_col] if self.start_col < len(cells) else ""
        column = self._name(self.start_col)
        if raw == "" or (isinstance(raw, str) and not raw.strip()):
            bad.append((column, "the period start date is missing"))
            return None
        try:
            start = parse_date(raw)
        except OutOfRange as exc:
            bad.append((column, str(exc)))
            return None
        except (ValueError, TypeError):
            bad.append((column, f"{str(raw)[:40]!r} is not a date: use 2026-03-01 or 01.03.2026"))
            return None
        if period is not None and period != "day":
            problem = period_start_problem(Period(period), start)
            if problem:
                bad.append((column, problem))
                return None
        return start

    def _value(self, cells: list[Any], bad: list[tuple[str, str]]) -> float | None:
        raw = cells[self.value_col] if self.value_col < len(cells) else ""
        column = self._name(self.value_col)
        if raw == "" or (isinstance(raw, str) and not raw.strip()):
            bad.append((column, "the value is missing"))
            return None
        try:
            return parse_value(raw)
        except OutOfRange as exc:
            bad.append((column, str(exc)))
            return None
        except (ValueError, TypeError):
            bad.append((column, f"{str(raw)[:40]!r} is not a number"))
            return None

    def _extras(self, cells: list[Any], bad: list[tuple[str, str]]) -> tuple[str, str | None]:
        source, note = "import", None
        if self.source_col is not None and self.source_col < len(cells):
            text = str(cells[self.source_col]).strip().lower()
            if text:
                # a file's values are typed in, imported or pushed: the sources that fill KPIs by themselves
                # (connector, feedback, activity) are not a file's to give
                source = SOURCES.get(text) if text in SOURCE_CODES else None
                if source is None:
                    bad.append(
                        (self._name(self.source_col), f"{text[:40]!r} is not a source: use {', '.join(SOURCE_CODES)}")
                    )
        if self.note_col is not None and self.note_col < len(cells):
            note = str(cells[self.note_col]).strip() or None
            if note and (len(note) > MAX_NOTE or "\x00" in note):
                bad.append((self._name(self.note_col), f"a note has at most {MAX_NOTE} characters and no NUL"))
        return source or "import", note

    def line(self, cells: list[Any]) -> tuple[int, str] | list[tuple[str, str]]:
        """(key, the row as a line of COPY text) for a line to store, else why not (column, reason).

        The key is a number that orders as the unique key (KPI, period, start, source) does. `fast` does the
        same for the common line, and raises on anything else."""
        try:
            return self.fast(cells)
        except Exception:  # anything unusual: the careful path names what is wrong, or accepts it
            return self.careful(cells)

    def careful(self, cells: list[Any]) -> tuple[int, str] | list[tuple[str, str]]:
        """As line(), any line, naming every problem."""
        row = self._careful(cells)
        if isinstance(row, list):
            return row
        kpi_id, period, start, value, source, note = row
        return (
            key(kpi_id, period, start.toordinal(), source),
            f"{kpi_id}\t{period}\t{start.isoformat()}\t{value!r}\t{source}\t{copy_text(note)}",
        )

    def repeated(self) -> list[tuple[str, str]]:
        """Why a line with an earlier line's key is refused."""
        return [(self._name(self.start_col), "the same KPI, period, start and source as an earlier line")]

    def _compile(self) -> Callable[[list[Any]], tuple[int, str]]:
        """The common line (text cells, ISO date, plain or decimal-comma number) in a few dictionary look-ups, as
        a function with everything it needs bound; it raises on anything else."""
        kpi_col, by_name, fixed_kpi = self.kpi_col, self.kpi_by_name, self.fixed_kpi
        names, ids = self.kpis.by_name, self.kpis.by_id
        period_col, fixed_period = self.period_col, self.fixed_period
        start_col, value_col, source_col, note_col = self.start_col, self.value_col, self.source_col, self.note_col
        days: dict[str, tuple[int, int, int]] = {}
        # Cells as written → what they give, for the KPI (id, key bits, its text) and the period (word, key bits):
        # a file repeats a few of them on every line, so each is stripped, lower-cased and looked up once.
        kpi_cells: dict[Any, tuple[int, int, str]] = {}
        period_cells: dict[Any, tuple[str, int]] = {}
        sources = {s: (s, SOURCE_CODES[s]) for s in SOURCE_CODES}
        import_bits = SOURCE_CODES["import"]

        def fast(cells: list[Any]) -> tuple[int, str]:
            if kpi_col is None:
                kpi_id = fixed_kpi
                kpi_bits, kpi_text = kpi_id << 26, str(kpi_id)
            else:
                raw = cells[kpi_col]
                known = kpi_cells.get(raw)
                if known is None:
                    if by_name:
                        kpi_id, problem = names[raw.strip().lower()]
                    else:
                        kpi_id = int(raw)
                        problem = ids[kpi_id]
                    if problem:
                        raise LookupError(problem)
                    known = (kpi_id, kpi_id << 26, str(kpi_id))
                    if len(kpi_cells) < CELL_CACHE:
                        kpi_cells[raw] = known
                kpi_id, kpi_bits, kpi_text = known
            if fixed_period:
                period, period_bits = fixed_period, PERIOD_CODES[fixed_period]
            else:
                raw = cells[period_col]
                known_period = period_cells.get(raw)
                if known_period is None:
                    word = PERIOD_WORDS[raw.strip().lower()]
                    known_period = (word, PERIOD_CODES[word])
                    if len(period_cells) < CELL_CACHE:
                        period_cells[raw] = known_period
                period, period_bits = known_period
            text = cells[start_col]
            day = days.get(text)
            if day is None:
                day = _iso_day(text)
                if len(days) < DAY_CACHE:
                    days[text] = day
            bits, weekday, mday = day
            if period_bits and ((period == "week" and weekday) or (period == "month" and mday != 1)):
                raise ValueError(text)
            raw = cells[value_col]
            if "," in raw:  # a decimal comma; "1,234.5" goes the careful way
                raw = raw.replace(",", ".")
            value = float(raw)
            if not -MAX_VALUE <= value <= MAX_VALUE:  # inf, nan or beyond what the API takes
                raise ValueError(raw)
            # PostgreSQL reads plain decimals as Python does (both round correctly): sent as written, no repr.
            number_text = raw.strip() if raw.isascii() and not ("_" in raw or "e" in raw or "E" in raw) else repr(value)
            if source_col is None:
                source, source_bits = "import", import_bits
            else:
                source, source_bits = sources[SOURCES[cells[source_col].strip().lower() or "import"]]
            note = "\\N"
            if note_col is not None:
                kept = cells[note_col].strip()
                if kept:
                    if len(kept) > MAX_NOTE or "\x00" in kept:
                        raise ValueError(kept)
                    note = copy_text(kept)
            return (
                kpi_bits | period_bits | bits | source_bits,
                f"{kpi_text}\t{period}\t{text}\t{number_text}\t{source}\t{note}",
            )

        return fast

    def _careful(self, cells: list[Any]) -> Row | list[tuple[str, str]]:
        bad: list[tuple[str, str]] = []
        kpi_id = self._kpi(cells, bad)
        period = self._period(cells, bad)
        start = self._start(cells, period, bad)
        value = self._value(cells, bad)
        source, note = self._extras(cells, bad)
        return bad or (kpi_id, period, start, value, source, note)


def key(kpi_id: int, period: str, ordinal: int, source: str) -> int:
    """A row's key (KPI, period, start, source) as one number that sorts as PostgreSQL sorts the unique key."""
    return kpi_id << 26 | PERIOD_CODES[period] | ordinal << 2 | SOURCE_CODES[source]


def _iso_day(text: str) -> tuple[int, int, int]:
    """(its bits in a key, weekday, day of month) of a date written exactly as YYYY-MM-DD; raises on anything
    else."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(text)
    day = date.fromisoformat(text)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(text)  # the careful path names the range
    return day.toordinal() << 2, day.weekday(), day.day


def copy_text(note: str | None) -> str:
    """A note as a field of COPY's text format."""
    if note is None:
        return "\\N"
    return note.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def blank(cells: list[Any]) -> bool:
    """A line with nothing in it (spreadsheets end with some): skipped, not reported."""
    return all(c == "" or (isinstance(c, str) and not c.strip()) for c in cells)
