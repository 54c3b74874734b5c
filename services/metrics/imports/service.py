"""Business rules of file imports: upload, mapping, starting a run, reading status and the report."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import delete, text
from sqlmodel import Session, col

from kit.db import save
from kit.errors import Conflict, Invalid, field_error
from kit.fields import utcnow
from kit.query import get_scoped, select_page
from services.metrics.imports import limits
from services.metrics.imports.check import KpiCatalogue
from services.metrics.imports.models import (
    ImportFile,
    ImportMapping,
    ImportProblem,
    ImportPublic,
    ImportStatus,
    ImportSummary,
    ImportTarget,
    ObservationImport,
)
from services.metrics.imports.parse import file_format, head, mapping_problems, suggest

RUNNING = (ImportStatus.queued, ImportStatus.checking, ImportStatus.storing)
# A run that has not written progress for this long has lost its worker; it may be run again.
STALE = timedelta(minutes=2)
# A queued run no worker has taken in this long lost its job (Redis was away when it was queued): it may be run
# again at once, and the metrics worker's requeue cron queues it again by itself (requeue.py).
QUEUE_GRACE = timedelta(seconds=15)
# PostgreSQL compresses a large upload as it stores it: with lz4 (PostgreSQL 14 on, when built with it) a 32 MB CSV
# took 0.10 s to store against 0.37 s with the default pglz, and 9.1 MB against 7.9 MB. For this transaction only,
# and only where the server offers it.
LZ4 = text(
    "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
    "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
)


def interrupted(record: ObservationImport) -> bool:
    """True when a run is recorded as going but has written no progress for a while."""
    if record.status not in RUNNING:
        return False
    updated = record.updated_at
    if updated.tzinfo is None:  # SQLite hands datetimes back without their zone
        updated = updated.replace(tzinfo=UTC)
    return utcnow() - updated > (QUEUE_GRACE if record.status == ImportStatus.queued else STALE)


def to_public(record: ObservationImport) -> ImportPublic:
    """The public view of an import, with the mapping its header suggests."""
    return ImportPublic.model_validate(
        {
            **record.model_dump(),
            "interrupted": interrupted(record),
            "suggested": suggest(record.columns, record.preview, record.target),
        }
    )


def to_summary(record: ObservationImport) -> ImportSummary:
    """A line of the list of imports."""
    return ImportSummary.model_validate({**record.model_dump(), "interrupted": interrupted(record)})


def create_import(
    *,
    session: Session,
    workspace_id: int,
    user_id: int,
    filename: str,
    data: bytes,
    target: ImportTarget = ImportTarget.observations,
) -> ObservationImport:
    """Store an uploaded file with its columns and first lines; nothing is imported yet.

    The limits (limits.py) are checked first: a refused file leaves nothing stored."""
    limits.check_size(len(data))
    if not data[:65536].strip():  # a file that starts with 64 KB of blanks has no header line either
        raise Invalid.field("file", "the file is empty")
    fmt = file_format(filename, data)
    limits.check_file(fmt, data)
    try:
        columns, preview = head(fmt, data if fmt == "xlsx" else limits.head_bytes(data))
    except ValueError as exc:
        raise Invalid.field("file", str(exc)) from None
    limits.check_columns(columns)
    record = ObservationImport(
        workspace_id=workspace_id,
        user_id=user_id,
        filename=(filename or "upload")[:255],
        file_format=fmt,
        target=target,
        size=len(data),
        columns=columns,
        preview=preview,
    )
    session.add(record)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(LZ4)
    session.add(ImportFile(import_id=record.id, data=data))
    session.flush()
    return record


def get_import(*, session: Session, workspace_id: int, import_id: int) -> ObservationImport:
    """One import of the workspace; NotFound for anyone else's."""
    return get_scoped(session, ObservationImport, workspace_id, import_id, "import")


def list_imports(
    *, session: Session, workspace_id: int, limit: int = 50, offset: int = 0
) -> tuple[list[ObservationImport], int]:
    """The workspace's imports, newest first."""
    where = [ObservationImport.workspace_id == workspace_id]
    order = [col(ObservationImport.created_at).desc(), col(ObservationImport.id).desc()]
    return select_page(session, ObservationImport, where, order, limit=limit, offset=offset)


def list_problems(
    *, session: Session, workspace_id: int, import_id: int, limit: int = 50, offset: int = 0
) -> tuple[list[ImportProblem], int]:
    """One page of an import's bad lines, by line."""
    get_import(session=session, workspace_id=workspace_id, import_id=import_id)
    where = [ImportProblem.import_id == import_id]
    return select_page(
        session, ImportProblem, where, [col(ImportProblem.line), col(ImportProblem.id)], limit=limit, offset=offset
    )


def _check_mapping(
    session: Session, workspace_id: int, record: ObservationImport, mapping: ImportMapping, prefix: str
) -> None:
    errors = [field_error(prefix + f, m) for f, m in mapping_problems(mapping, record.columns, record.target)]
    if record.target == ImportTarget.feedback_items:
        for name in ("kpi_id", "period"):
            if getattr(mapping, name) is not None:
                errors.append(field_error(prefix + name, "a file of feedback items has no KPI or period"))
    elif mapping.channel is not None:
        errors.append(field_error(prefix + "channel", "a file of values has no channel"))
    if mapping.kpi_id is not None and record.target == ImportTarget.observations:
        kpis = KpiCatalogue.load(session, workspace_id)
        problem = kpis.by_id.get(mapping.kpi_id, f"no KPI {mapping.kpi_id} in this workspace")
        if problem:
            errors.append(field_error(prefix + "kpi_id", problem))
    if errors:
        raise Invalid("; ".join(f"{e['field']}: {e['detail']}" for e in errors), errors=errors)


def set_mapping(*, session: Session, workspace_id: int, import_id: int, mapping: ImportMapping) -> ObservationImport:
    """Set what each column holds, checked against the file's columns; refused while a run is going."""
    record = get_import(session=session, workspace_id=workspace_id, import_id=import_id)
    _refuse_if_running(record)
    _check_mapping(session, workspace_id, record, mapping, "")
    return save(session, record, {"mapping": mapping.model_dump(mode="json")})


def _refuse_if_running(record: ObservationImport) -> None:
    if record.status in RUNNING and not interrupted(record):
        raise Conflict(f"Import {record.id} is {record.status.value}; wait for it to end.")


def start_run(
    *,
    session: Session,
    workspace_id: int,
    import_id: int,
    mapping: ImportMapping | None = None,
    timezone: str = "UTC",
) -> ObservationImport:
    """Queue a run (again): an interrupted run resumes where its last stored chunk ended, others start over.

    Feedback items have no key to upsert on: a file of them is stored once (in one transaction), and a done
    import of them is not run again."""
    record = get_import(session=session, workspace_id=workspace_id, import_id=import_id)
    _refuse_if_running(record)
    if record.target == ImportTarget.feedback_items and record.status == ImportStatus.done:
        raise Conflict(f"Import {record.id} stored its feedback items already; running it again would repeat them.")
    if mapping is None:
        if record.mapping is None:
            raise Invalid.field("mapping", "set the mapping first")
        mapping = ImportMapping.model_validate(record.mapping)
    _check_mapping(session, workspace_id, record, mapping, "mapping.")
    new_mapping = mapping.model_dump(mode="json")
    resume = record.status == ImportStatus.storing and record.mapping == new_mapping
    changes = {
        "mapping": new_mapping,
        "status": ImportStatus.queued,
        "attempt": record.attempt + 1,
        "timezone": timezone[:64],
        "error": None,
        "finished_at": None,
    }
    if not resume:
        changes |= {"rows_checked": 0, "rows_done": 0, "bad_lines": 0, "created": 0, "replaced": 0, "rows_total": None}
    return save(session, record, changes)


def delete_import(*, session: Session, workspace_id: int, import_id: int) -> None:
    """Remove an import, its file and its report (never the observations it stored)."""
    record = get_import(session=session, workspace_id=workspace_id, import_id=import_id)
    _refuse_if_running(record)
    for model in (ImportProblem, ImportFile):
        session.execute(delete(model).where(col(model.import_id) == record.id))
    session.delete(record)
    session.flush()
