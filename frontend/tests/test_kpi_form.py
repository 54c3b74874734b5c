"""The KPI pages' form logic: what the API gets, manual entry's period start, target errors, scorecard parameters."""

from __future__ import annotations

from frontend import kpi_form
from frontend.backend import FORM_PROBLEM, Answer
from frontend.pages import kpi, scorecard
from frontend.templating import gettext_functions, templates


def test_create_payload_leaves_out_empty_fields_and_reads_decimal_commas():
    form = kpi_form.blank(owner_id=7)
    form.update(name="Revenue", unit="currency", currency_code="nok", baseline_value="1 200,5", amber_threshold="0,8")
    body = kpi_form.payload(form, creating=True)
    assert body["owner_id"] == 7 and body["currency_code"] == "nok"
    assert body["baseline_value"] == 1200.5 and body["amber_threshold"] == 0.8
    assert "formula" not in body and "surface_id" not in body and "red_threshold" not in body


def test_update_payload_clears_fields_and_passes_junk_on_for_the_api_to_name():
    form = kpi_form.blank()
    form.update(name="Visits", currency_code="NOK", baseline_value="lots")
    body = kpi_form.payload(form, creating=False)
    assert body["currency_code"] is None  # only money has a currency
    assert body["baseline_value"] == "lots" and body["formula"] is None and body["owner_id"] is None
    assert "formula" not in kpi_form.payload(form, creating=False, formula_known=False)


def test_presets_fill_the_form_in_the_pages_language():
    preset = {
        "key": "bounce_rate",
        "name": "Bounce rate",
        "unit": "percent",
        "direction": "lower_is_better",
        "aggregation": "mean",
        "category": "result",
        "expected_frequency": "month",
    }
    form = kpi_form.from_preset(preset, 3, lambda text: text.upper())
    assert form["name"] == "BOUNCE RATE" and form["unit"] == "percent" and form["direction"] == "lower_is_better"
    assert form["owner_id"] == "3"
    assert kpi_form.library({"data": [preset, {"name": "no key"}]}) == [preset]
    assert kpi_form.library([preset]) == [preset] and kpi_form.library(None) == []


def test_manual_entry_counts_from_the_first_day_of_its_period():
    assert kpi.snap("week", "2026-11-26") == "2026-11-23"  # a Thursday → its Monday
    assert kpi.snap("month", "2026-11-26") == "2026-11-01"
    assert kpi.snap("day", "2026-11-26") == "2026-11-26"
    assert kpi.snap("month", "not a day") == "not a day"


def test_target_errors_go_to_their_rows():
    answer = Answer(
        422,
        {
            "errors": [
                {"field": "targets.1.period_start", "detail": "overlaps the period of targets.0"},
                {"field": "2.target", "detail": "Input should be a valid number"},
            ]
        },
    )
    errors = kpi.target_errors(answer)
    assert errors[1] == kpi.OVERLAP and errors[2] == kpi.TARGET_ERRORS["target"]
    assert kpi.target_errors(Answer(422, {"detail": "?"})) == {-1: FORM_PROBLEM}


def test_band_targets_default_to_the_middle_and_a_date_target_is_one_day():
    row = {"period_start": "2026-11-01", "period_end": "", "target": "", "band_low": "30", "band_high": "40"}
    assert kpi._target_payload(row) == {
        "period_start": "2026-11-01",
        "period_end": "2026-11-01",
        "target": 35.0,
        "band_low": 30.0,
        "band_high": 40.0,
    }


def test_scorecard_parameters_fall_back_and_stay_in_the_calendar():
    from datetime import date

    choice = scorecard.parse({"period": "decade", "date": "0001-01-01", "surface": "99999999999"})
    assert choice == {"period": "month", "date": date(1901, 1, 1), "surface": None}
    choice = scorecard.parse({"period": "quarter", "date": "2026-11-23", "surface": "4"})
    assert scorecard.query(choice) == "period=quarter&date=2026-11-23&surface=4"
    assert scorecard.query(choice, date=None, surface=None) == "period=quarter"


def test_a_source_the_form_does_not_offer_is_shown_and_kept_on_save():
    form = kpi_form.of_kpi({"name": "Articles published", "category": "activity", "source": "activity"})
    html = templates.env.get_template("_kpi_fields.html").render(
        p="edit-kpi", form=form, errors={}, people={}, surfaces={}, lang="nb", **kpi.LABELS, **gettext_functions("nb")
    )
    select = html.split('name="source"')[1].split("</select>")[0]
    assert '<option value="activity" selected>' in select  # not "manual", the first option, by default
    assert " selected" not in select.replace('<option value="activity" selected>', "")
    assert "source" not in kpi_form.payload(kpi_form.read(form), creating=False)  # the service keeps it
    for source in kpi_form.KEPT_SOURCES:
        assert source in kpi_form.SOURCES
    chosen = {**form, "source": "manual"}
    assert kpi_form.payload(chosen, creating=False)["source"] == "manual"  # switching on purpose still works
