"""The activity figures of every workspace, per month, in grouped SQL; and which of them changed since they were
last handed to metrics. Nothing here reads another service's tables: metrics gets the figures on its queue."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from kit.fields import utcnow
from kit.query import select_page
from services.tasks.actions.models import Action, ActionStatus
from services.tasks.activity.models import ActivityMeasure, PublishedFigure
from services.tasks.runs.models import RunState, WorkflowRun
from services.tasks.tasks.models import Task, TaskState, TimeEntry

Figure = tuple[int, str, int, date]  # (workspace_id, measure, key, month)


def _month(column) -> tuple:
    """Year and month of a date or timestamp column, as SQL both SQLite and PostgreSQL group by."""
    return sa.extract("year", column), sa.extract("month", column)


def _rows(session: Session, query) -> list:
    return list(session.execute(query).all())


def figures(session: Session, workspace_ids: list[int] | None = None) -> dict[Figure, float | None]:
    """Every figure of the workspaces (None: all) per month: five GROUP BYs, no row loaded one by one."""
    out: dict[Figure, float | None] = {}

    def where(model, *conds):
        if workspace_ids is not None:
            conds = (*conds, col(model.workspace_id).in_(workspace_ids))
        return conds

    def put(measure: ActivityMeasure, rows, key_index: int | None = None):
        for row in rows:
            ws, year, month, *rest = row
            key = int(rest[key_index] or 0) if key_index is not None else 0
            value = rest[-1]
            out[(ws, measure.value, key, date(int(year), int(month), 1))] = round(float(value or 0), 4)

    run_month = _month(col(WorkflowRun.finished_at))
    put(
        ActivityMeasure.runs_finished,
        _rows(
            session,
            sa.select(col(WorkflowRun.workspace_id), *run_month, col(WorkflowRun.template_id), sa.func.count())
            .where(
                *where(
                    WorkflowRun, col(WorkflowRun.state) == RunState.finished, col(WorkflowRun.finished_at).is_not(None)
                )
            )
            .group_by(col(WorkflowRun.workspace_id), *run_month, col(WorkflowRun.template_id)),
        ),
        key_index=0,
    )
    done_month = _month(col(Task.done_at))
    on_time = sa.func.sum(sa.case((sa.func.date(col(Task.done_at)) <= col(Task.due_on), 1), else_=0))
    done = _rows(
        session,
        sa.select(col(Task.workspace_id), *done_month, sa.func.count(), on_time)
        .where(*where(Task, col(Task.state) == TaskState.done, col(Task.done_at).is_not(None)))
        .group_by(col(Task.workspace_id), *done_month),
    )
    for ws, year, month, count, timely in done:
        start = date(int(year), int(month), 1)
        out[(ws, ActivityMeasure.tasks_done.value, 0, start)] = float(count)
        out[(ws, ActivityMeasure.tasks_on_time.value, 0, start)] = round(100.0 * float(timely or 0) / count, 4)
    day_month = _month(col(TimeEntry.day))
    hours = sa.func.sum(col(TimeEntry.hours))
    put(
        ActivityMeasure.hours_logged,
        _rows(
            session,
            sa.select(col(TimeEntry.workspace_id), *day_month, hours)
            .where(*where(TimeEntry))
            .group_by(col(TimeEntry.workspace_id), *day_month),
        ),
    )
    # and per template, through the task's run: "hours spent on content" is the blog template's
    put(
        ActivityMeasure.hours_logged,
        _rows(
            session,
            sa.select(col(TimeEntry.workspace_id), *day_month, col(WorkflowRun.template_id), hours)
            .join(Task, col(Task.id) == col(TimeEntry.task_id))
            .join(WorkflowRun, col(WorkflowRun.id) == col(Task.run_id))
            .where(*where(TimeEntry))
            .group_by(col(TimeEntry.workspace_id), *day_month, col(WorkflowRun.template_id)),
        ),
        key_index=0,
    )
    cost_month = _month(col(Action.done_on))
    put(
        ActivityMeasure.action_cost,
        _rows(
            session,
            sa.select(col(Action.workspace_id), *cost_month, sa.func.sum(col(Action.cost)))
            .where(
                *where(
                    Action,
                    col(Action.status).in_([ActionStatus.done, ActionStatus.evaluated]),
                    col(Action.done_on).is_not(None),
                    col(Action.cost).is_not(None),
                )
            )
            .group_by(col(Action.workspace_id), *cost_month),
        ),
    )
    return out


def changes(session: Session, workspace_ids: list[int] | None = None) -> list[PublishedFigure]:
    """The figures whose value differs from the one last published, each with its next version (not saved): a
    figure that went away is published as 0 (a count or sum), or None (the on-time share has no tasks)."""
    now = figures(session, workspace_ids)
    query = select(PublishedFigure)
    if workspace_ids is not None:
        query = query.where(col(PublishedFigure.workspace_id).in_(workspace_ids))
    known = {(p.workspace_id, p.measure, p.key, p.month): p for p in session.exec(query).all()}
    out = []
    gone = {k: (None if k[1] == ActivityMeasure.tasks_on_time.value else 0.0) for k in known.keys() - now.keys()}
    for key, value in sorted({**gone, **now}.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], kv[0][3])):
        last = known.get(key)
        if last is not None and last.value == value:
            continue
        ws, measure, k, month = key
        out.append(
            PublishedFigure(
                workspace_id=ws,
                measure=measure,
                key=k,
                month=month,
                value=value,
                version=(last.version + 1) if last else 1,
            )
        )
    return out


def job_id(figure: PublishedFigure) -> str:
    """The arq job id of one change: the same change is never queued twice, a new one always is."""
    return f"activity:{figure.workspace_id}:{figure.measure}:{figure.key}:{figure.month.isoformat()}:v{figure.version}"


def mark_published(session: Session, figure: PublishedFigure, when: datetime | None = None) -> None:
    """Remember a change as handed to the metrics queue. Two workers may publish the same change at once (the
    job id makes the queue take it once): one upsert, which only ever moves a figure to a newer version."""
    table = PublishedFigure.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(
        workspace_id=figure.workspace_id,
        measure=figure.measure,
        key=figure.key,
        month=figure.month,
        value=figure.value,
        version=figure.version,
        published_at=when or utcnow(),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["workspace_id", "measure", "key", "month"],
        set_={
            "value": stmt.excluded.value,
            "version": stmt.excluded.version,
            "published_at": stmt.excluded.published_at,
        },
        where=table.c.version < stmt.excluded.version,
    )
    session.execute(stmt)
    session.flush()


def by_workspace(rows: list[PublishedFigure]) -> dict[int, list[PublishedFigure]]:
    out: dict[int, list[PublishedFigure]] = defaultdict(list)
    for row in rows:
        out[row.workspace_id].append(row)
    return out


def published(session: Session, workspace_id: int, *, limit: int, offset: int) -> tuple[list[PublishedFigure], int]:
    """The workspace's figures as last handed to metrics, newest month first."""
    where = [PublishedFigure.workspace_id == workspace_id]
    order = [col(PublishedFigure.month).desc(), col(PublishedFigure.measure), col(PublishedFigure.key)]
    return select_page(session, PublishedFigure, where, order, limit=limit, offset=offset)
