"""Business rules of observations: one value for one KPI, period and source; pushing again replaces it."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from kit.errors import Invalid, NotFound, field_error
from kit.fields import utcnow
from kit.query import order_by, select_page
from services.metrics.kpis.models import Kpi, Source
from services.metrics.kpis.service import get_kpi
from services.metrics.observations.models import (
    Observation,
    ObservationCreate,
    ObservationPublic,
    ObservationPushed,
    Period,
    observation_id,
    observation_key,
)

KEY = ("kpi_id", "period", "period_start", "source")
# Nine parameters a row: 1,000 rows stay far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
CHUNK = 1_000
CSV_COLUMNS = ("kpi_id", "kpi_name", "period", "period_start", "value", "source", "note")
OBSERVATION_SORTS = {"period_start", "value", "created_at", "updated_at"}
ITEM = TypeAdapter(ObservationCreate)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DERIVED = "derived KPI: values come from its formula"


def to_public(observation: Observation) -> ObservationPublic:
    """The public view of an observation."""
    return ObservationPublic.model_validate(observation)


def to_pushed(observation: Observation, replaced: bool) -> ObservationPushed:
    """The public view of a pushed observation, saying whether it replaced a value."""
    return ObservationPushed.model_validate(observation, update={"replaced": replaced})


def _kpi_problems(session: Session, workspace_id: int, kpi_ids: set[int]) -> dict[int, str]:
    """Why each KPI id cannot take observations: not in the workspace, archived, or derived from a formula."""
    rows = session.exec(
        select(Kpi.id, Kpi.archived, Kpi.formula).where(Kpi.workspace_id == workspace_id, col(Kpi.id).in_(kpi_ids))
    ).all()
    found = {kpi_id: (archived, formula) for kpi_id, archived, formula in rows}
    problems = {}
    for kpi_id in kpi_ids:
        if kpi_id not in found:
            problems[kpi_id] = f"no KPI {kpi_id} in this workspace"
        elif found[kpi_id][0]:
            problems[kpi_id] = f"KPI {kpi_id} is archived; restore it first"
        elif found[kpi_id][1] is not None:
            problems[kpi_id] = DERIVED
    return problems


def _parse_items(raw: Sequence[Any]) -> tuple[list[ObservationCreate | None], list[dict[str, Any]]]:
    """Each raw item as an ObservationCreate (None if invalid), and the errors of the invalid ones."""
    items: list[ObservationCreate | None] = []
    errors = []
    for index, value in enumerate(raw):
        try:
            items.append(ITEM.validate_python(value))
        except ValidationError as exc:
            items.append(None)
            for err in exc.errors(include_url=False):
                path = ".".join(["observations", str(index), *map(str, err["loc"])])
                errors.append(field_error(path, err["msg"]))
    return items, errors


def _batch_errors(session: Session, workspace_id: int, items: Sequence[ObservationCreate | None]) -> list[dict]:
    """Every valid item that cannot be stored, by index: a KPI it cannot use, or the key of an earlier item."""
    bad_kpis = _kpi_problems(session, workspace_id, {item.kpi_id for item in items if item})
    first_with_key: dict[tuple, int] = {}
    errors = []
    for index, item in enumerate(items):
        if item is None:
            continue
        if item.kpi_id in bad_kpis:
            errors.append(field_error(f"observations.{index}.kpi_id", bad_kpis[item.kpi_id]))
        key = tuple(getattr(item, name) for name in KEY)
        if key in first_with_key:
            errors.append(
                field_error(
                    f"observations.{index}.period_start",
                    f"same KPI, period, period_start and source as observations."
                    f"{first_with_key[key]}; send each value once",
                )
            )
        else:
            first_with_key[key] = index
    return errors


def _row(item: ObservationCreate, workspace_id: int, now: datetime) -> dict[str, Any]:
    return {**item.model_dump(), "workspace_id": workspace_id, "created_at": now, "updated_at": now}


def _upsert(session: Session, rows: list[dict[str, Any]]) -> list[tuple[int, bool]]:
    """Insert the rows in one statement, replacing value and note where the key exists: (id, inserted) each.

    A replaced row keeps its created_at and takes the new updated_at, so created_at = updated_at marks an insert
    on both databases (PostgreSQL's xmax trick has no SQLite equivalent)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = Observation.__table__
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(KEY),
        set_={"value": stmt.excluded.value, "note": stmt.excluded.note, "updated_at": stmt.excluded.updated_at},
    )
    inserted = (table.c.created_at == table.c.updated_at).label("inserted")
    stmt = stmt.returning(*(table.c[name] for name in KEY), inserted)
    # Parameters as a list, not .values(rows): SQLAlchemy's "insertmanyvalues" still sends one multi-row INSERT
    # (up to 1,000 rows, as CHUNK), but from a cached compiled statement; .values() recompiled 10,000 binds.
    return [(observation_id(*row[:4]), bool(row.inserted)) for row in session.execute(stmt, rows)]


def push_observation(*, session: Session, workspace_id: int, data: ObservationCreate) -> tuple[Observation, bool]:
    """Store one value for its KPI, period and source, replacing any there was; the row and whether it replaced."""
    problem = _kpi_problems(session, workspace_id, {data.kpi_id}).get(data.kpi_id)
    if problem:
        raise Invalid.field("kpi_id", problem)
    [(_, inserted)] = _upsert(session, [_row(data, workspace_id, utcnow())])
    key = (data.kpi_id, data.period, data.period_start, data.source)
    return session.get(Observation, key, populate_existing=True), not inserted


def push_batch(*, session: Session, workspace_id: int, raw: Sequence[Any]) -> tuple[int, int]:
    """Store all the values or none: every item is checked first and every bad one named. (created, replaced)."""
    items, errors = _parse_items(raw)
    errors += _batch_errors(session, workspace_id, items)
    if errors:
        errors.sort(key=lambda e: int(e["field"].split(".")[1]))  # stable: an item's own errors keep their order
        bad = len({e["field"].split(".")[1] for e in errors})
        raise Invalid(f"{bad} of {len(items)} observations are invalid; none was stored.", errors=errors)
    # In key order: concurrent batches then lock shared keys in the same order and cannot deadlock on PostgreSQL.
    valid = sorted(
        (item for item in items if item is not None),
        key=lambda item: (item.kpi_id, item.period.value, item.period_start, item.source.value),
    )
    now = utcnow()
    created = 0
    for start in range(0, len(valid), CHUNK):
        results = _upsert(session, [_row(item, workspace_id, now) for item in valid[start : start + CHUNK]])
        created += sum(inserted for _, inserted in results)
    return created, len(valid) - created


def list_observations(
    *,
    session: Session,
    workspace_id: int,
    kpi_id: int | None = None,
    period: Period | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    sort: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Observation], int]:
    """One page of the workspace's observations by period start, and how many match; a foreign KPI is NotFound."""
    if date_from and date_to and date_from > date_to:
        raise Invalid.field("to", "must be on or after from")
    where = [Observation.workspace_id == workspace_id]
    if kpi_id is not None:
        get_kpi(session=session, workspace_id=workspace_id, kpi_id=kpi_id)
        where.append(Observation.kpi_id == kpi_id)
    else:  # through the workspace's KPIs: the unique key leads with kpi_id (observations have no workspace index)
        where.append(col(Observation.kpi_id).in_(select(Kpi.id).where(Kpi.workspace_id == workspace_id)))
    if period is not None:
        where.append(Observation.period == period)
    if date_from is not None:
        where.append(col(Observation.period_start) >= date_from)
    if date_to is not None:
        where.append(col(Observation.period_start) <= date_to)
    default = [col(Observation.period_start), col(Observation.kpi_id), col(Observation.period), col(Observation.source)]
    order = order_by(Observation, sort, OBSERVATION_SORTS, default)
    return select_page(session, Observation, where, order, limit=limit, offset=offset)


def get_observation(*, session: Session, workspace_id: int, observation_id: int) -> Observation:
    """The observation an API id stands for, if it is the workspace's; NotFound otherwise."""
    key = observation_key(observation_id)
    record = session.get(Observation, key) if key else None
    if record is None or record.workspace_id != workspace_id:
        raise NotFound(f"No observation {observation_id} in this workspace.")
    return record


def delete_observation(*, session: Session, workspace_id: int, observation_id: int) -> None:
    """Remove one observation of the workspace."""
    record = get_observation(session=session, workspace_id=workspace_id, observation_id=observation_id)
    session.delete(record)
    session.flush()


def cell(text: str | None) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP's CSV injection advice)."""
    if not text:
        return ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_csv(*, session: Session, workspace_id: int, kpi_id: int) -> str:
    """Every observation of one KPI as CSV, by period start."""
    kpi = get_kpi(session=session, workspace_id=workspace_id, kpi_id=kpi_id)
    rows = session.exec(
        select(Observation)
        .where(Observation.workspace_id == workspace_id, Observation.kpi_id == kpi.id)
        .order_by(col(Observation.period_start), col(Observation.period), col(Observation.source))
    ).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    name = cell(kpi.name)
    for row in rows:
        writer.writerow(
            [
                kpi.id,
                name,
                row.period.value,
                row.period_start.isoformat(),
                repr(row.value),
                row.source.value,
                cell(row.note),
            ]
        )
    return out.getvalue()


def store_month_values(
    session: Session, workspace_id: int, values: dict[tuple[int, date], float | None], source: Source
) -> None:
    """Upsert {(kpi_id, month): value} as month observations of a source that fills KPIs by itself (feedback,
    activity); a value that became None is removed. One DELETE a KPI, upserts of 1,000 rows."""
    table = Observation.__table__
    gone: dict[int, list[date]] = defaultdict(list)
    for (kpi_id, month), value in values.items():
        if value is None:
            gone[kpi_id].append(month)
    for kpi_id, months in gone.items():  # one statement a KPI
        session.execute(
            sa.delete(table).where(
                table.c.kpi_id == kpi_id,
                table.c.period == "month",
                table.c.period_start.in_(months),
                table.c.source == source,
            )
        )
    rows = [
        {
            "kpi_id": k,
            "period": "month",
            "period_start": m,
            "value": float(v),
            "source": source.value,
            "note": None,
            "workspace_id": workspace_id,
            "created_at": utcnow(),
            "updated_at": utcnow(),
        }
        for (k, m), v in sorted(values.items())
        if v is not None
    ]
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), 1000):
        stmt = dialect.insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["kpi_id", "period", "period_start", "source"],
            set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
        )
        session.execute(stmt, rows[start : start + 1000])
