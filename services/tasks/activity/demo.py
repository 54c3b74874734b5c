"""The activity part of the demo: the hours the team logged on the blog runs' steps, and what metrics needs to
feed "Articles published" and "Hours spent on content" by them (the blog template's id and the months the tasks
service has figures for; the figures themselves travel on the metrics queue once the workers run)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from services.tasks.activity import service
from services.tasks.activity.models import ActivityMeasure
from services.tasks.runs.models import WorkflowRun
from services.tasks.tasks.models import Task, TaskState, TimeEntry
from services.tasks.workflows.models import WorkflowTemplate

# Hours a step of the blog-post workflow takes (what the team logs), by step key; others take one hour.
STEP_HOURS = {"idea": 1.5, "keywords": 2.0, "outline": 3.0, "draft": 14.0, "images": 9.0, "social": 2.5}


def seed(session: Session, *, workspace_id: int, refs: dict) -> bool:
    """Log the hours of the blog runs' done steps (once), and hand metrics the template and months."""
    template = session.exec(
        select(WorkflowTemplate).where(
            WorkflowTemplate.workspace_id == workspace_id, WorkflowTemplate.builtin_key == "blog-post"
        )
    ).first()
    if template is None:
        return False
    made = False
    if not session.exec(select(TimeEntry.id).where(TimeEntry.workspace_id == workspace_id)).first():
        tasks = session.exec(
            select(Task)
            .join(WorkflowRun, col(WorkflowRun.id) == col(Task.run_id))
            .where(WorkflowRun.template_id == template.id, Task.state == TaskState.done, col(Task.done_at).is_not(None))
            .order_by(col(Task.id))
        ).all()
        for n, task in enumerate(tasks):
            hours = STEP_HOURS.get(task.step_key, 1.0) * (0.8 + 0.1 * (n % 5))  # some steps take longer
            session.add(
                TimeEntry(
                    workspace_id=workspace_id,
                    task_id=task.id,
                    user_id=task.owner_id or 0,
                    day=task.done_at.date(),
                    hours=round(hours * 4) / 4,
                    note=None,
                )
            )
        session.flush()
        made = True
    figures = service.figures(session, [workspace_id])
    wanted = {ActivityMeasure.runs_finished.value, ActivityMeasure.hours_logged.value}
    refs["activity"] = {
        "template_id": template.id,
        "months": sorted(
            {m.isoformat() for (_, measure, key, m) in figures if measure in wanted and key == template.id}
        ),
    }
    return made
