"""The demo's action list from what the metrics demo hands over: quadrants, periods, done ones, the flag."""

from __future__ import annotations

from datetime import date

from kit.demo_language import say
from services.tasks import demo
from services.tasks.actions import effect, planning, service
from services.tasks.actions.models import ActionStatus

TEXTS = [
    ("Checkout: keep the basket when the payment page reloads on mobile.", "Conversion rate"),
    ("Show the real delivery date on every product page.", "Net Promoter Score"),
    ("Move spend from display ads to the shop's search campaigns.", "Marketing cost"),
    ("Ask for the review in the delivery e-mail, not a week later.", "Net Promoter Score"),
    ("Bring back Turbrevet's seasonal tips with links to the shop.", "Online revenue"),
]
KPIS = ["Conversion rate", "Net Promoter Score", "Marketing cost", "Online revenue", "Visits",
        "Time to answer complaints", "Hours spent on content"]  # fmt: skip


def refs() -> dict:
    kpis = {name: n + 1 for n, name in enumerate(KPIS)}
    findings = [
        {"id": 10 + n, "text": t, "kpi_id": kpis[k], "surface_id": 4, "change_kind": "content"}
        for n, (t, k) in enumerate(TEXTS)
    ]
    done = date.today().replace(day=1)
    done = date(done.year - (done.month <= 4), (done.month - 5) % 12 + 1, 12)
    effects = {"confirmed": {"kpi_id": 1, "done_on": done.isoformat()},
               "inconclusive": {"kpi_id": 2, "done_on": done.replace(day=20).isoformat()}}  # fmt: skip
    return {"kpis": kpis, "findings": findings, "surfaces": {"Nettbutikk": 4}, "effects": effects}


def test_the_demo_action_list(session):
    given = refs()
    demo.seed(session, workspace_id=1, people={}, refs=given)
    given["people"] = {"mikko.virtanen@example.com": 12, "sara.lindqvist@example.com": 13,
                       "ingrid.solberg@example.com": 11}  # fmt: skip
    assert demo.connect(session, workspace_id=1, refs=given) is True
    assert demo.connect(session, workspace_id=1, refs=given) is False  # once
    rows, total = service.list_actions(session=session, workspace_id=1, limit=100)
    public = service.publish(session=session, workspace_id=1, rows=rows, today=date.today())
    assert total == 12
    assert {a.quadrant for a in public} == {"quick_win", "big_bet", "fill_in", "money_pit"}
    assert public[0].quadrant == "quick_win"
    assert [a.title for a in public if a.cadence and a.cadence.flagged] == [
        "Move spend from display ads to search campaigns"
    ]
    done = [a for a, _ in rows if a.status == ActionStatus.done]
    assert len(done) == 2
    mixed = effect.confounders(session, done)
    email = next(a for a in done if a.title.startswith("Ask"))
    assert [c["title"] for c in mixed[email.id]] == ["Carrier pick-up at 16:00 so late orders ship the same day"]
    loads = planning.loads(session=session, workspace_id=1)
    used = [x for x in loads.values() if x.actions]
    assert len(used) == 2 and sum(x.over for x in used) == 1
    assert sum(x.people_over for x in used) == 1  # Sara: her search campaigns take more than her own hours


def test_the_demo_action_list_in_finnish(session, monkeypatch):
    """issue 14: the demo's actions in the language chosen at first start, still tied to their findings."""
    monkeypatch.setenv("EFFEKT_DEMO_LANGUAGE", "fi")
    given = refs()
    given["findings"] = [{**f, "text": say(f["text"])} for f in given["findings"]]  # as the metrics demo wrote them
    demo.seed(session, workspace_id=1, people={}, refs=given)
    assert demo.connect(session, workspace_id=1, refs=given) is True
    rows, _ = service.list_actions(session=session, workspace_id=1, limit=100)
    titles = {a.title: a for a, _ in rows}
    assert "Aloitetaan podcast" in titles and "Start a podcast" not in titles
    assert titles["Ostoskori säilyy, kun mobiilin maksusivu latautuu uudelleen"].finding_id == 10


def test_the_action_made_from_delivery_complaints_is_done_and_links_them(session):
    given = refs()
    given["feedback_kpis"] = {"Complaints: Delivery": 40}
    given["feedback_items"] = [101, 102, 103]
    done_on = given["effects"]["confirmed"]["done_on"][:8] + "08"
    given["effects"]["fewer_complaints"] = {"kpi_id": 40, "done_on": done_on, "feedback_item_ids": [102, 103]}
    demo.seed(session, workspace_id=1, people={}, refs=given)
    assert demo.connect(session, workspace_id=1, refs=given) is True
    rows, total = service.list_actions(session=session, workspace_id=1, limit=100)
    assert total == 13
    made = next(a for a, _ in rows if a.kpi_id == 40)
    assert made.status == ActionStatus.done and made.done_on.isoformat() == done_on
    assert made.feedback_item_ids == [102, 103] and made.kpi_name == "Complaints: Delivery"
    assert made.expected_direction == "down"
