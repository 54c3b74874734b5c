"""My work: buckets by due date, approvals waiting for me, across vouched workspaces, in a constant number of
SQL statements however many runs, tasks and workspaces there are."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from kit.sqlcount import count_statements
from services.tasks.tasks import service
from services.tasks.tests.workflow_support import ANNA, BEN, blog_template, start_blog

TODAY = date(2026, 6, 3)  # a Wednesday


def my_work(engine, user_id, workspaces):
    with Session(engine) as session, count_statements(engine) as log:
        work = service.my_work(session=session, user_id=user_id, workspace_ids=workspaces, today=TODAY)
    return work, log.count


def seed(engine, runs: int, workspaces: list[int]):
    with Session(engine, expire_on_commit=False) as session:
        for ws in workspaces:
            template = blog_template(session, workspace_id=ws)
            for n in range(runs):
                start_blog(session, date(2026, 6, 26 + n % 3), template=template)
        session.commit()


def test_buckets_and_workspaces(engine):
    seed(engine, 1, [1, 2])
    work, _ = my_work(engine, ANNA, [1, 2])
    assert [i.task.step_key for i in work.overdue] == ["idea", "idea"]  # due 27 May
    assert {i.workspace_id for i in work.overdue} == {1, 2}
    only_one, _ = my_work(engine, ANNA, [1])
    assert [i.workspace_id for i in only_one.overdue] == [1]
    nothing, _ = my_work(engine, BEN, [1, 2])
    assert not any(nothing.buckets().values())


def test_the_number_of_statements_does_not_grow(engine):
    seed(engine, 1, [1])
    _, few = my_work(engine, ANNA, [1])
    seed(engine, 6, [1, 2, 3])
    work, many = my_work(engine, ANNA, [1, 2, 3])
    assert len(work.overdue) == 19
    assert few == many == 2
