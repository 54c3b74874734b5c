"""HTTP routes of reminders: a task's reminder rows (for the run page) and the workspace's reminder settings."""

from __future__ import annotations

from fastapi import APIRouter

from kit.deps import OneHopRoute, SessionDep
from kit.identity import EditorDep, PrincipalDep
from kit.pagination import PageDep
from services.tasks.reminders import service
from services.tasks.reminders.models import ReminderList, ReminderPublic, ReminderSettingsPublic, ReminderSettingsUpdate
from services.tasks.tasks.service import get_task

router = APIRouter(tags=["reminders"], route_class=OneHopRoute)
NOT_FOUND = {404: {"description": "No such task in this workspace"}}


@router.get(
    "/api/v1/tasks/{task_id}/reminders",
    response_model=ReminderList,
    responses=NOT_FOUND,
    operation_id="listTaskReminders",
    summary="A task's reminders: when each goes out, and whether it went",
)
def list_reminders(task_id: int, session: SessionDep, principal: PrincipalDep, page: PageDep):
    task = get_task(session=session, workspace_id=principal.workspace_id, task_id=task_id)
    rows, total = service.task_reminders(session=session, task=task, limit=page.limit, offset=page.offset)
    return ReminderList.of([ReminderPublic.model_validate(r, from_attributes=True) for r in rows], total, page)


@router.get(
    "/api/v1/reminder-settings",
    response_model=ReminderSettingsPublic,
    operation_id="getReminderSettings",
    summary="Working hours and escalation grace of reminders",
)
def get_settings(session: SessionDep, principal: PrincipalDep):
    return service.get_settings(session=session, workspace_id=principal.workspace_id, timezone=principal.timezone)


@router.put(
    "/api/v1/reminder-settings",
    response_model=ReminderSettingsPublic,
    operation_id="setReminderSettings",
    summary="Set the working hours and escalation grace of reminders",
)
def set_settings(data: ReminderSettingsUpdate, session: SessionDep, principal: EditorDep):
    """Reminders already planned keep their times; deadlines set or moved from now on use the new hours."""
    return service.set_settings(
        session=session, workspace_id=principal.workspace_id, data=data, timezone=principal.timezone
    )
