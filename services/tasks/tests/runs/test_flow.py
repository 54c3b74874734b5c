"""Runs through the service: hand-off in one transaction, dependencies, approvals, send-backs, reassigning."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from kit.errors import Conflict, Forbidden, Invalid
from services.tasks.events.models import Event, EventKind
from services.tasks.runs import service as runs
from services.tasks.runs.models import RunCreate, RunHistory, RunState
from services.tasks.tasks import flow
from services.tasks.tasks.models import Task, TaskComment, TaskState
from services.tasks.tests.workflow_support import (  # noqa: F401
    ANNA,
    BEN,
    BLOG_ROLES,
    CARA,
    DAN,
    MEMBERS,
    NO,
    PUBLISH,
    approve,
    at,
    done,
    events,
    start_blog,
    task,
    walk_to_approval,
)
from services.tasks.workflows import service as workflows


def test_starting_creates_a_task_per_step_and_hands_the_first_to_its_owner(session):
    _, run = start_blog(session, PUBLISH)
    tasks = flow.run_tasks(session, run.id)
    assert len(tasks) == 8
    assert [(t.step_key, t.state) for t in tasks[:2]] == [("idea", TaskState.open), ("keywords", TaskState.waiting)]
    assert tasks[0].owner_id == ANNA and tasks[0].opened_at is not None
    assert [(e.recipient_id, e.task_id) for e in events(session, EventKind.assigned)] == [(ANNA, tasks[0].id)]
    assert tasks[-1].hard and not tasks[0].hard


def test_hand_off_is_one_transaction(engine):
    with Session(engine, expire_on_commit=False) as s:
        _, run = start_blog(s, PUBLISH)
        s.commit()
    with Session(engine, expire_on_commit=False) as writer, Session(engine) as reader:
        done(writer, run, "idea", date(2026, 5, 27))
        before = reader.exec(select(Task.step_key, Task.state).where(Task.run_id == run.id)).all()
        assert dict(before)["idea"] == TaskState.open and dict(before)["keywords"] == TaskState.waiting
        assert len(reader.exec(select(Event)).all()) == 1
        reader.rollback()
        writer.commit()
        after = dict(reader.exec(select(Task.step_key, Task.state).where(Task.run_id == run.id)).all())
        assert after["idea"] == TaskState.done and after["keywords"] == TaskState.open
        assigned = reader.exec(select(Event).where(Event.kind == EventKind.assigned)).all()
        assert [e.recipient_id for e in assigned] == [ANNA, BEN]


def test_a_step_opens_only_when_all_its_dependencies_are_done(session):
    template = workflows.add_builtin(session=session, workspace_id=1, user_id=ANNA, key="launch", language="en")
    roles = {"pm": ANNA, "content": BEN, "lead": CARA, "designer": DAN, "writer": BEN, "social": DAN}
    run = runs.start_run(
        session=session,
        workspace_id=1,
        user_id=ANNA,
        members=MEMBERS,
        cal=NO,
        now=at(date(2026, 5, 1)),
        data=RunCreate(template_id=template.id, anchors={"launch": date(2026, 7, 1)}, roles=roles),
    )
    done(session, run, "brief", date(2026, 5, 5))
    done(session, run, "messaging", date(2026, 5, 12))
    approve(session, run, "approve-messaging", CARA)
    assert task(session, run, "assets").state == task(session, run, "landing").state == TaskState.open
    done(session, run, "assets", date(2026, 6, 10))
    assert task(session, run, "channels").state == TaskState.waiting
    done(session, run, "landing", date(2026, 6, 12))
    assert task(session, run, "channels").state == TaskState.open


def test_an_approval_needs_its_required_count_of_distinct_approvers(session):
    _, run = start_blog(session, PUBLISH)
    walk_to_approval(session, run)
    step = task(session, run, "approve-outline")
    assert step.state == TaskState.open and sorted(flow.approvers(session, step)) == [ANNA, BEN]
    asked = {e.recipient_id for e in events(session, EventKind.approval_requested)}
    assert asked == {ANNA}  # BEN owns the step, and was told it is assigned to him
    with pytest.raises(Conflict):
        done(session, run, "approve-outline", date(2026, 6, 10))
    approve(session, run, "approve-outline", BEN)
    assert task(session, run, "approve-outline").state == TaskState.open
    with pytest.raises(Conflict):
        approve(session, run, "approve-outline", BEN)
    with pytest.raises(Forbidden):
        approve(session, run, "approve-outline", CARA)  # the author of the outline
    approve(session, run, "approve-outline", ANNA)
    assert task(session, run, "approve-outline").state == TaskState.done
    assert task(session, run, "draft").state == TaskState.open


def test_send_back_reopens_the_step_before_with_a_new_due_date_and_counts_the_loop(session):
    _, run = start_blog(session, PUBLISH)
    walk_to_approval(session, run)
    approve(session, run, "approve-outline", BEN)
    step = task(session, run, "approve-outline")
    today = date(2026, 6, 10)  # a Wednesday; the outline's three days end on Monday
    back = flow.send_back(
        session,
        run,
        step,
        target=None,
        comment="Needs a section on pricing",
        now=at(today),
        today=today,
        cal=NO,
        actor_id=ANNA,
    )
    assert back.step_key == "outline" and back.state == TaskState.sent_back and back.due_on == date(2026, 6, 15)
    assert step.state == TaskState.waiting and step.approval_round == 1
    assert run.send_backs == 1 and back.send_backs == 1
    comment = session.exec(select(TaskComment).where(TaskComment.task_id == back.id)).one()
    assert comment.kind == "send_back" and comment.body == "Needs a section on pricing"
    assert [e.recipient_id for e in events(session, EventKind.sent_back)] == [CARA]
    done(session, run, "outline", date(2026, 6, 12))
    again = task(session, run, "approve-outline")
    assert again.state == TaskState.open
    approve(session, run, "approve-outline", ANNA)  # BEN's approval was in the earlier round
    assert task(session, run, "approve-outline").state == TaskState.open
    approve(session, run, "approve-outline", BEN)
    assert task(session, run, "approve-outline").state == TaskState.done


def test_send_back_target_must_be_an_earlier_step(session):
    _, run = start_blog(session, PUBLISH)
    walk_to_approval(session, run)
    step = task(session, run, "approve-outline")
    kw = dict(comment="x", now=at(date(2026, 6, 10)), today=date(2026, 6, 10), cal=NO, actor_id=ANNA)
    with pytest.raises(Invalid) as err:
        flow.send_back(session, run, step, target="images", **kw)
    assert err.value.errors[0]["field"] == "target"
    back = flow.send_back(session, run, step, target="idea", **kw)
    assert back.step_key == "idea" and task(session, run, "outline").state == TaskState.done


def test_reassigning_a_role_moves_its_open_and_future_steps(session):
    _, run = start_blog(session, PUBLISH)
    walk_to_approval(session, run)
    runs.reassign_role(
        session=session, run=run, role="writer", user_id=DAN, members=MEMBERS, actor_id=ANNA, now=at(date(2026, 6, 8))
    )
    owners = {t.step_key: t.owner_id for t in flow.run_tasks(session, run.id)}
    assert owners["outline"] == CARA  # done: it stays who did it
    assert owners["draft"] == owners["publish"] == DAN and run.roles["writer"] == DAN
    kinds = [h.kind for h in session.exec(select(RunHistory).where(RunHistory.run_id == run.id)).all()]
    assert "reassigned" in kinds
    runs.reassign_role(
        session=session, run=run, role="lead", user_id=DAN, members=MEMBERS, actor_id=ANNA, now=at(date(2026, 6, 8))
    )
    assert sorted(flow.approvers(session, task(session, run, "approve-outline"))) == [BEN, DAN]
    assert DAN in {e.recipient_id for e in events(session, EventKind.approval_requested)}
    with pytest.raises(Invalid) as err:
        runs.reassign_role(
            session=session, run=run, role="lead", user_id=99, members=MEMBERS, actor_id=ANNA, now=at(date(2026, 6, 8))
        )
    assert err.value.errors[0]["field"] == "user_id"


def test_binding_refuses_non_members_missing_roles_and_impossible_approvals(session):
    with pytest.raises(Invalid) as err:
        start_blog(session, PUBLISH, roles={**BLOG_ROLES, "seo": 99})
    assert err.value.errors[0]["field"] == "roles.seo"
    with pytest.raises(Invalid) as err:
        start_blog(session, PUBLISH, roles={k: v for k, v in BLOG_ROLES.items() if k != "designer"})
    assert err.value.errors[0]["field"] == "roles.designer"
    with pytest.raises(Invalid) as err:  # the two approvers are one person
        start_blog(session, PUBLISH, roles={**BLOG_ROLES, "lead": BEN})
    assert err.value.errors[0]["field"] == "roles"


def test_finishing_every_step_finishes_the_run(session):
    _, run = start_blog(session, PUBLISH)
    walk_to_approval(session, run)
    approve(session, run, "approve-outline", BEN)
    approve(session, run, "approve-outline", ANNA)
    for key, day in [("draft", date(2026, 6, 16)), ("images", date(2026, 6, 19)), ("social", date(2026, 6, 22))]:
        done(session, run, key, day)
    t = task(session, run, "publish")
    flow.skip(session, run, t, reason="Published by the client", now=at(PUBLISH), actor_id=ANNA)
    assert run.state == RunState.finished and run.finished_at is not None
    assert events(session, EventKind.run_finished)[0].recipient_id == ANNA
