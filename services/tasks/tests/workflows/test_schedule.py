"""Planned dates over working days: weekends, public holidays, both directions of the non-working-day rule."""

from __future__ import annotations

from datetime import date

import pytest

from kit.errors import Invalid
from services.tasks.workflows import builtin
from services.tasks.workflows.models import DayKind, Definition
from services.tasks.workflows.schedule import due_date, plan, start_date
from services.tasks.workflows.workdays import WorkCalendar

NO = WorkCalendar(country="NO")
FI = WorkCalendar(country="FI")


def test_working_days_skip_weekends_and_holidays():
    assert NO.add(date(2026, 1, 9), 1) == date(2026, 1, 12)  # Friday + 1 → Monday
    assert NO.add(date(2026, 5, 13), 1) == date(2026, 5, 15)  # Ascension Day (Thursday) is off
    assert NO.add(date(2026, 5, 18), -3) == date(2026, 5, 12)  # back over a weekend and Ascension Day
    assert NO.between(date(2026, 5, 12), date(2026, 5, 18)) == 3
    assert NO.between(date(2026, 5, 18), date(2026, 5, 12)) == -3
    assert NO.holiday(date(2026, 5, 25)) == "Pentecost Monday"


def test_a_day_off_before_the_anchor_moves_earlier():
    raw, due, why = due_date(NO, date(2026, 6, 15), -2, DayKind.calendar)
    assert raw == date(2026, 6, 13) and due == date(2026, 6, 12) and why == "weekend"
    raw, due, why = due_date(NO, date(2026, 5, 20), -6, DayKind.calendar)
    assert raw == date(2026, 5, 14) and due == date(2026, 5, 13) and why == "Ascension Day"


def test_a_day_off_after_the_anchor_moves_later():
    raw, due, why = due_date(NO, date(2026, 6, 10), 3, DayKind.calendar)
    assert raw == date(2026, 6, 13) and due == date(2026, 6, 15) and why == "weekend"
    raw, due, why = due_date(NO, date(2026, 5, 20), 5, DayKind.calendar)
    assert raw == date(2026, 5, 25) and due == date(2026, 5, 26) and why == "Pentecost Monday"


def test_on_the_anchor_a_day_off_moves_earlier_so_the_deadline_holds():
    raw, due, why = due_date(NO, date(2026, 6, 14), 0, DayKind.working)  # a Sunday publish date
    assert due == date(2026, 6, 12) and why == "weekend"


def test_offsets_in_working_days_never_land_on_a_day_off():
    raw, due, why = due_date(NO, date(2026, 5, 18), -3, DayKind.working)
    assert due == raw == date(2026, 5, 12) and why is None


def test_the_country_decides_the_holidays():
    assert due_date(NO, date(2026, 6, 22), -3, DayKind.calendar)[1] == date(2026, 6, 19)
    raw, due, why = due_date(FI, date(2026, 6, 22), -3, DayKind.calendar)
    assert due == date(2026, 6, 18) and why == "Midsummer Eve"


def test_the_working_week_is_the_workspace_s():
    four_days = WorkCalendar(week="1234", country="NO")
    assert not four_days.is_working(date(2026, 6, 12))
    assert due_date(four_days, date(2026, 6, 15), -3, DayKind.calendar)[1] == date(2026, 6, 11)


def test_start_is_the_duration_back_in_working_days():
    assert start_date(NO, date(2026, 6, 15), 3) == date(2026, 6, 11)  # Thu, Fri, Mon
    assert start_date(NO, date(2026, 6, 15), 1) == date(2026, 6, 15)


def test_blog_post_plan_has_eight_dates_each_on_a_working_day():
    definition = Definition.model_validate(builtin.definition("blog-post"))
    steps = plan(definition, {"publish": date(2026, 6, 26)}, NO)
    assert len(steps) == 8
    assert [s.step.key for s in steps][0] == "idea" and steps[-1].due_on == date(2026, 6, 26)
    assert all(NO.is_working(s.due_on) for s in steps)
    idea = steps[0]  # 30 days before Friday 26 June is Wednesday 27 May
    assert idea.raw_due == date(2026, 5, 27) and idea.due_on == date(2026, 5, 27)
    keywords = steps[1]  # 25 days before is Monday 1 June
    assert keywords.due_on == date(2026, 6, 1)
    outline = steps[2]  # 20 days before is Saturday 6 June → Friday 5 June
    assert outline.raw_due == date(2026, 6, 6) and outline.due_on == date(2026, 6, 5)
    assert outline.moved == "weekend" and outline.moved_direction == "earlier"


def test_strict_refuses_a_missing_anchor_and_lenient_skips_its_steps():
    definition = Definition.model_validate(builtin.definition("blog-post"))
    with pytest.raises(Invalid) as err:
        plan(definition, {}, NO)
    assert err.value.errors[0]["field"] == "anchors.publish"
    assert plan(definition, {}, NO, strict=False) == []
    with pytest.raises(Invalid):
        plan(definition, {"publish": date(2026, 6, 26), "launch": date(2026, 6, 1)}, NO)


@pytest.mark.parametrize("key", list(builtin.BUILTINS))
@pytest.mark.parametrize("language", builtin.LANGUAGES)
def test_every_builtin_is_a_valid_definition_in_every_language(key, language):
    definition = Definition.model_validate(builtin.definition(key, language))
    assert definition.steps and builtin.summary(key, language)["name"]


def test_the_blog_post_builtin_is_translated():
    fi = builtin.definition("blog-post", "fi")
    assert fi["steps"][0]["title"] == "Ideoi aihe" and fi["anchors"][0]["name"] == "Julkaisupäivä"
    assert len({r["key"] for r in fi["roles"]}) == 6


def test_a_definition_refuses_cycles_and_unknown_references():
    base = builtin.definition("newsletter")
    bad = {**base, "steps": [{**base["steps"][0], "depends_on": ["send"]}, *base["steps"][1:]]}
    with pytest.raises(ValueError, match="cycle"):
        Definition.model_validate(bad)
    bad = {**base, "steps": [{**base["steps"][0], "role": "nobody"}, *base["steps"][1:]]}
    with pytest.raises(ValueError, match="no role"):
        Definition.model_validate(bad)
