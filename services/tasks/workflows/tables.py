"""Every table of the workflow concepts (workflows, runs, tasks, events, retrospectives): what models.py imports."""

from services.tasks.events.models import Event
from services.tasks.retrospectives.models import RunNote
from services.tasks.runs.models import ReplanProposal, RunHistory, WorkflowRun
from services.tasks.tasks.models import Task, TaskApproval, TaskApprover, TaskComment, TimeEntry
from services.tasks.workflows.models import WorkCalendarRow, WorkflowTemplate, WorkflowVersion

__all__ = [
    "Event",
    "ReplanProposal",
    "RunHistory",
    "RunNote",
    "Task",
    "TaskApproval",
    "TaskApprover",
    "TaskComment",
    "TimeEntry",
    "WorkCalendarRow",
    "WorkflowRun",
    "WorkflowTemplate",
    "WorkflowVersion",
]
