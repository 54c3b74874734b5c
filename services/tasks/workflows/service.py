"""Business rules of workflow templates: versions (draft → published), built-ins, copies, preview, diff."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from kit.db import save
from kit.errors import Conflict, Invalid, NotFound
from kit.fields import utcnow
from kit.query import get_scoped, order_by, select_page
from services.tasks.workflows import builtin, calendar, schedule
from services.tasks.workflows.models import (
    Definition,
    Preview,
    PreviewStep,
    VersionDiff,
    VersionPublic,
    VersionState,
    WorkflowCreate,
    WorkflowPublic,
    WorkflowTemplate,
    WorkflowUpdate,
    WorkflowVersion,
)

SORTS = {"name", "created_at", "updated_at"}


def get_template(*, session: Session, workspace_id: int, template_id: int) -> WorkflowTemplate:
    """The template, if it belongs to the workspace."""
    return get_scoped(session, WorkflowTemplate, workspace_id, template_id, "workflow")


def versions(*, session: Session, template_id: int) -> list[WorkflowVersion]:
    """Every version of a template, oldest first."""
    q = select(WorkflowVersion).where(WorkflowVersion.template_id == template_id).order_by(WorkflowVersion.number)
    return list(session.exec(q).all())


def get_version(*, session: Session, template: WorkflowTemplate, number: int | None = None) -> WorkflowVersion:
    """A version by number; without one, the published version (runs start from it)."""
    number = number if number is not None else template.published_version
    if number is None:
        raise Conflict("The workflow has no published version yet: publish its draft first.")
    found = session.exec(
        select(WorkflowVersion).where(WorkflowVersion.template_id == template.id, WorkflowVersion.number == number)
    ).first()
    if found is None:
        raise NotFound(f"No version {number} of this workflow.")
    return found


def _draft(session: Session, template_id: int) -> WorkflowVersion | None:
    return session.exec(
        select(WorkflowVersion).where(
            WorkflowVersion.template_id == template_id, WorkflowVersion.state == VersionState.draft
        )
    ).first()


def version_public(version: WorkflowVersion) -> VersionPublic:
    return VersionPublic(
        id=version.id,
        number=version.number,
        state=version.state,
        definition=Definition.model_validate(version.definition),
        note=version.note,
        created_at=version.created_at,
        published_at=version.published_at,
    )


def to_public(session: Session, template: WorkflowTemplate) -> WorkflowPublic:
    """The public view: the template with its published version (else its draft)."""
    draft = _draft(session, template.id)
    current = get_version(session=session, template=template) if template.published_version else draft
    return WorkflowPublic(
        **template.model_dump(exclude={"workspace_id"}),
        draft_version=draft.number if draft else None,
        current=version_public(current) if current else None,
    )


def list_templates(
    *, session: Session, workspace_id: int, archived: bool = False, sort: str | None = None, limit: int, offset: int
) -> tuple[list[WorkflowTemplate], int]:
    """One page of the workspace's templates."""
    where = [WorkflowTemplate.workspace_id == workspace_id, WorkflowTemplate.archived == archived]
    order = order_by(WorkflowTemplate, sort, SORTS, [func.lower(col(WorkflowTemplate.name))])
    return select_page(session, WorkflowTemplate, where, order, limit=limit, offset=offset)


def create_template(
    *, session: Session, workspace_id: int, user_id: int, data: WorkflowCreate, builtin_key: str | None = None
) -> WorkflowTemplate:
    """A new template whose first version is a draft."""
    template = WorkflowTemplate(
        workspace_id=workspace_id, name=data.name, description=data.description, builtin_key=builtin_key
    )
    session.add(template)
    session.flush()
    session.add(
        WorkflowVersion(
            workspace_id=workspace_id,
            template_id=template.id,
            number=1,
            state=VersionState.draft,
            definition=data.definition.model_dump(mode="json"),
            created_by=user_id,
        )
    )
    session.flush()
    return template


def update_template(
    *, session: Session, workspace_id: int, template_id: int, user_id: int, data: WorkflowUpdate
) -> WorkflowTemplate:
    """Rename, or change the definition: that makes (or replaces) the draft, never the published version."""
    template = get_template(session=session, workspace_id=workspace_id, template_id=template_id)
    changes = data.model_dump(exclude_unset=True, include={"name", "description"})
    if data.definition is not None:
        draft = _draft(session, template.id)
        if draft is None:
            last = session.exec(
                select(func.max(WorkflowVersion.number)).where(WorkflowVersion.template_id == template.id)
            ).one()
            draft = WorkflowVersion(
                workspace_id=workspace_id,
                template_id=template.id,
                number=(last or 0) + 1,
                state=VersionState.draft,
                created_by=user_id,
            )
        draft.definition = data.definition.model_dump(mode="json")
        draft.note = data.note
        session.add(draft)
    return save(session, template, changes)


def publish(*, session: Session, workspace_id: int, template_id: int) -> WorkflowTemplate:
    """The draft becomes the version new runs use; the one before is retired (runs on it keep it)."""
    template = get_template(session=session, workspace_id=workspace_id, template_id=template_id)
    draft = _draft(session, template.id)
    if draft is None:
        raise Conflict("There is no draft to publish.")
    if template.published_version is not None:
        old = get_version(session=session, template=template)
        old.state = VersionState.retired
        session.add(old)
    draft.state, draft.published_at = VersionState.published, utcnow()
    session.add(draft)
    return save(session, template, {"published_version": draft.number})


def set_archived(*, session: Session, workspace_id: int, template_id: int, archived: bool) -> WorkflowTemplate:
    """Archive or restore a template (its runs stay)."""
    template = get_template(session=session, workspace_id=workspace_id, template_id=template_id)
    return save(session, template, {"archived": archived})


def add_builtin(*, session: Session, workspace_id: int, user_id: int, key: str, language: str) -> WorkflowTemplate:
    """A built-in template, in one language, as a published template of the workspace."""
    if key not in builtin.BUILTINS:
        raise NotFound(f"No built-in workflow {key!r}.")
    info = builtin.summary(key, language)
    data = WorkflowCreate(
        name=info["name"], description=info["description"], definition=builtin.definition(key, language)
    )
    template = create_template(session=session, workspace_id=workspace_id, user_id=user_id, data=data, builtin_key=key)
    return publish(session=session, workspace_id=workspace_id, template_id=template.id)


def copy_template(
    *, session: Session, source_workspace_ids: set[int], source_id: int, workspace_id: int, user_id: int
) -> WorkflowTemplate:
    """Copy a template's current version from a workspace the user belongs to (vouched by the gateway)."""
    source = session.get(WorkflowTemplate, source_id) if 0 < source_id < 2**31 else None
    if source is None or source.workspace_id not in source_workspace_ids:
        raise Invalid.field("source_id", "no such workflow in a workspace you belong to")
    version = (
        _draft(session, source.id)
        if source.published_version is None
        else get_version(session=session, template=source)
    )
    data = WorkflowCreate(name=source.name, description=source.description, definition=version.definition)
    return create_template(session=session, workspace_id=workspace_id, user_id=user_id, data=data)


def preview(
    *,
    session: Session,
    workspace_id: int,
    timezone: str,
    template_id: int,
    anchors: dict[str, date],
    number: int | None = None,
    strict: bool = True,
) -> Preview:
    """Every step's computed start and due date for these anchor dates, before anything starts."""
    template = get_template(session=session, workspace_id=workspace_id, template_id=template_id)
    if number is None and template.published_version is None:
        draft = _draft(session, template.id)
        number = draft.number if draft else None
    version = get_version(session=session, template=template, number=number)
    definition = Definition.model_validate(version.definition)
    cal = calendar.work_calendar(session=session, workspace_id=workspace_id, timezone=timezone)
    planned = schedule.plan(definition, anchors, cal, strict=strict)
    steps = [
        PreviewStep(
            key=p.step.key,
            title=p.step.title,
            role=p.step.role,
            anchor=p.step.anchor,
            offset_days=p.step.offset_days,
            day_kind=p.step.day_kind,
            raw_due=p.raw_due,
            due_on=p.due_on,
            start_on=p.start_on,
            moved=p.moved,
            moved_direction=p.moved_direction,
            approval=p.step.approval,
        )
        for p in planned
    ]
    cal_public = calendar.get_calendar(session=session, workspace_id=workspace_id, timezone=timezone)
    return Preview(
        template_id=template.id, version=version.number, calendar=cal_public, rule=schedule.RULE, steps=steps
    )


def diff(*, session: Session, workspace_id: int, template_id: int, old: int, new: int) -> VersionDiff:
    """What changed between two versions: steps added, removed, and each changed field (old → new)."""
    template = get_template(session=session, workspace_id=workspace_id, template_id=template_id)
    a = {s["key"]: s for s in get_version(session=session, template=template, number=old).definition["steps"]}
    b = {s["key"]: s for s in get_version(session=session, template=template, number=new).definition["steps"]}
    changed = []
    for key in [k for k in b if k in a]:
        for name in b[key]:
            if a[key].get(name) != b[key][name]:
                changed.append({"step": key, "field": name, "old": a[key].get(name), "new": b[key][name]})
    return VersionDiff(
        from_version=old,
        to_version=new,
        added=[k for k in b if k not in a],
        removed=[k for k in a if k not in b],
        changed=changed,
    )
