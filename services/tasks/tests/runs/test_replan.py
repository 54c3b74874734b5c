"""Re-planning: proposals for later steps with soft and hard anchors; nothing moves until accepted."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from kit.errors import Conflict, Invalid
from services.tasks.runs import replan
from services.tasks.runs.models import ProposalState, ReplanProposal
from services.tasks.tasks import service as tasks
from services.tasks.tests.workflow_support import (
    ANNA,
    BEN,
    NO,
    PUBLISH,
    approve,
    done,
    start_blog,
    task,
    walk_to_approval,
)


def to_images(session):
    _, run = start_blog(session, PUBLISH)
    walk_to_approval(session, run)
    approve(session, run, "approve-outline", BEN)
    approve(session, run, "approve-outline", ANNA)
    done(session, run, "draft", date(2026, 6, 16))
    return run


def proposals(session, run):
    return session.exec(select(ReplanProposal).where(ReplanProposal.run_id == run.id)).all()


def test_a_late_step_proposes_shifting_the_later_soft_steps_and_keeps_the_hard_one(session):
    run = to_images(session)
    assert task(session, run, "images").due_on == date(2026, 6, 19)  # 21 June is a Sunday: moved earlier
    assert task(session, run, "social").due_on == date(2026, 6, 22)
    done(session, run, "images", date(2026, 6, 23))  # two working days late
    (proposal,) = proposals(session, run)
    assert proposal.delta_days == 2 and proposal.state == ProposalState.open
    assert list(proposal.options) == ["shift"]
    assert [(c["step"], c["old_due"], c["new_due"]) for c in proposal.options["shift"]] == [
        ("social", "2026-06-22", "2026-06-24")
    ]
    assert task(session, run, "social").due_on == date(2026, 6, 22)  # nothing moved yet
    replan.decide(session=session, run=run, proposal_id=proposal.id, accept=True, option=None, actor_id=ANNA)
    assert task(session, run, "social").due_on == date(2026, 6, 24)
    assert task(session, run, "publish").due_on == PUBLISH
    with pytest.raises(Conflict):
        replan.decide(session=session, run=run, proposal_id=proposal.id, accept=True, option=None, actor_id=ANNA)


def test_when_the_shift_would_move_a_hard_anchor_it_offers_shorter_durations_or_moving_the_anchor(session):
    run = to_images(session)
    done(session, run, "images", date(2026, 6, 26))  # five working days late: social would pass the publish date
    (proposal,) = proposals(session, run)
    assert set(proposal.options) == {"shorten", "move_anchor", "anchors"}
    (short,) = proposal.options["shorten"]
    assert short["step"] == "social" and short["new_due"] == "2026-06-25"
    moved = {c["step"]: c["new_due"] for c in proposal.options["move_anchor"]}
    assert moved == {"social": "2026-06-29", "publish": "2026-07-03"}
    with pytest.raises(Invalid):
        replan.decide(session=session, run=run, proposal_id=proposal.id, accept=True, option="shift", actor_id=ANNA)
    replan.decide(session=session, run=run, proposal_id=proposal.id, accept=True, option="move_anchor", actor_id=ANNA)
    assert run.anchors["publish"] == "2026-07-03" and task(session, run, "publish").due_on == date(2026, 7, 3)


def test_an_early_finish_proposes_earlier_dates_and_rejecting_moves_nothing(session):
    run = to_images(session)
    done(session, run, "images", date(2026, 6, 17))  # two working days early
    (proposal,) = proposals(session, run)
    assert proposal.delta_days == -2 and proposal.options["shift"][0]["new_due"] == "2026-06-18"
    replan.decide(session=session, run=run, proposal_id=proposal.id, accept=False, option=None, actor_id=ANNA)
    assert proposal.state == ProposalState.rejected and task(session, run, "social").due_on == date(2026, 6, 22)


def test_moving_a_due_date_proposes_and_supersedes_the_open_proposal(session):
    run = to_images(session)
    images = task(session, run, "images")
    tasks.move_due(session=session, run=run, task=images, due_on=date(2026, 6, 22), cal=NO, actor_id=ANNA)
    tasks.move_due(session=session, run=run, task=images, due_on=date(2026, 6, 23), cal=NO, actor_id=ANNA)
    first, second = proposals(session, run)
    assert first.state == ProposalState.superseded and second.state == ProposalState.open
    assert second.options["shift"][0]["new_due"] == "2026-06-23"
