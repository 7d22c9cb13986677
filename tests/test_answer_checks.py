"""Checks made as an answer is given (issue 12.11): choice limits, whole numbers, real dates, US dates,
dates in the past where the content expects one to come, and plan checks said at the second answer."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from deflect_cli.content import answers
from deflect_cli.content.model import ContentError, load_content
from deflect_cli.plan.store import load_plan
from deflect_cli.session.plain import PlainPrompter
from deflect_cli.session.wizard import Wizard

from conftest import DOWN, ENTER, ESC, SPACE, UP, screen_wizard

BACKSPACE = "\x7f"


# --------------------------------------------------------------------------- the pure rules


def test_an_impossible_date_says_why():
    assert answers.parse_date("2026-02-30") == (None, "2026-02-30 is not a date: February 2026 has 28 days")
    assert answers.parse_date("2028-02-29") == ("2028-02-29", None)
    assert "there is no month 13" in answers.parse_date("2026-13-01")[1]
    assert "there is no month 31" in answers.parse_date("31/12/2026")[1]


def test_us_dates_are_read_month_first_and_stored_as_iso(content):
    rule = content.question("launch.start_date")
    assert answers.parse_text(rule, "12/31/2026") == ("2026-12-31", None)
    assert answers.parse_text(rule, "3/1/2027") == ("2027-03-01", None)
    # answers files and plans go through the same gate
    assert answers.validate(rule, "12/31/2026") == ("2026-12-31", None)
    assert answers.validate(rule, "2026-02-30")[1] == "2026-02-30 is not a date: February 2026 has 28 days"


def test_whole_number_questions_say_a_whole_number(content):
    rule = content.question("profile.population")
    assert rule.integer
    assert answers.parse_text(rule, "lots")[1] == "type a whole number, like 12"
    assert "whole number" in answers.parse_text(rule, "12.5")[1]


def test_choose_up_to_five_is_enforced(content):
    rule = content.question("community_needs.service_gaps")
    assert rule.max_choices == 5
    six = [c.value for c in rule.choices[:6]]
    assert answers.validate(rule, six[:5]) == (six[:5], None)
    assert answers.validate(rule, six)[1] == "choose up to five (you chose six)"


def test_max_choices_is_checked_by_the_content_loader(tmp_path):
    import shutil

    from conftest import FIXTURES

    root = tmp_path / "c"
    shutil.copytree(FIXTURES / "mini", root)
    path = next((root / "sections").glob("*.yaml"))
    text = path.read_text()
    path.write_text(text.replace("    type: text\n", "    type: text\n    max_choices: 2\n    future: true\n", 1))
    with pytest.raises(ContentError) as raised:
        load_content(root)
    problems = "\n".join(raised.value.problems)
    assert "'max_choices' only applies to multi_choice" in problems
    assert "'future' only applies to date" in problems


def test_a_past_date_counts_only_where_the_content_expects_a_future_one(content):
    today = dt.date(2026, 6, 1)
    assert answers.is_past(content.question("launch.start_date"), "2026-05-31", today)
    assert not answers.is_past(content.question("launch.start_date"), "2026-06-01", today)
    grant_start = next(c for c in content.question("funding.sources").columns if c.id == "start")
    assert not answers.is_past(grant_start, "2000-01-01", today)  # a grant may well have begun already


# --------------------------------------------------------------------------- in the wizard


@pytest.fixture
def wizard(content, tmp_path):
    return screen_wizard(content, tmp_path)


def saved(wizard):
    return load_plan(wizard.plan.path).answers


def test_wizard_refuses_a_sixth_tick(keys, wizard, content):
    keys((SPACE + DOWN) * 6 + ENTER,   # six ticked: refused, the prompt stays
         UP + SPACE + ENTER)           # untick the sixth: accepted
    assert wizard.edit(content.question("community_needs.service_gaps")) is None
    chosen = saved(wizard)["community_needs"]["service_gaps"]
    assert chosen == [c.value for c in content.question("community_needs.service_gaps").choices[:5]]


def test_wizard_rejects_an_impossible_date_and_reads_a_us_date_back(keys, wizard, content):
    keys("2026-02-30" + ENTER, BACKSPACE * 10 + "12/31/2099" + ENTER)
    wizard.edit(content.question("launch.start_date"))
    assert saved(wizard)["launch"]["start_date"] == "2099-12-31"
    assert "Read as 2099-12-31" in wizard.screen.getvalue()


def test_a_past_launch_date_asks_for_confirmation(keys, wizard, content):
    keys("01/15/2020" + ENTER, ENTER,                      # in the past: "No, change it" is the default
         BACKSPACE * 10 + "2020-01-15" + ENTER, UP + ENTER)  # typed again, then "Yes, keep it"
    wizard.edit(content.question("launch.start_date"))
    assert saved(wizard)["launch"]["start_date"] == "2020-01-15"
    assert wizard.screen.getvalue().count("Read as 2020-01-15") == 1


def test_a_past_objective_date_in_a_table_asks_too(keys, wizard, content):
    question = content.question("introduction.objectives")  # the results chain: `by` is a future date
    keys(ENTER, "O1" + ENTER, "G1" + ENTER, "Cut deaths by a quarter" + ESC + ENTER,
         "2020-01-15" + ENTER, ENTER, BACKSPACE * 10 + "2099-01-15" + ENTER, "\x11")
    wizard.edit(question)
    row = saved(wizard)["introduction"]["objectives"][0]
    assert row["objective"] == "Cut deaths by a quarter" and row["by"] == "2099-01-15"


def test_cross_answer_check_warns_at_the_second_answer(keys, wizard, content):
    wizard.plan.set_answer("community_needs.overdose_deaths", 50)
    keys("12" + ENTER)
    wizard.edit(content.question("community_needs.nonfatal_overdoses"))
    screen = " ".join(wizard.screen.getvalue().split())
    assert ("Worth a second look: Fewer non-fatal overdoses than deaths are recorded. "
            "(listed under Things to double-check)") in screen


def test_no_warning_when_the_answers_agree(keys, wizard, content):
    wizard.plan.set_answer("community_needs.overdose_deaths", 50)
    keys("400" + ENTER)
    wizard.edit(content.question("community_needs.nonfatal_overdoses"))
    assert "Worth a second look" not in wizard.screen.getvalue()


def test_plain_mode_reads_a_us_date_and_confirms_a_past_one(content, tmp_path):
    from deflect_cli.plan.model import new_plan

    ui = PlainPrompter(stdin=io.StringIO("2026-02-30\n1/2/2020\n1\n"), stdout=io.StringIO())
    wizard = Wizard(content, new_plan(tmp_path / "plan.yaml", content), ui=ui)
    wizard.edit(content.question("launch.start_date"))
    out = ui.stdout.getvalue()
    assert "2026-02-30 is not a date: February 2026 has 28 days" in out
    assert "2020-01-02 is in the past. Keep this date?" in out
    assert "Saved: 2020-01-02" in out
    assert load_plan(wizard.plan.path).answers["launch"]["start_date"] == "2020-01-02"


# --------------------------------------------------------------------------- a plan that agrees with itself (12.12)


def _models_plan(wizard):
    wizard.plan.set_answer("program_types.models", ["qrt", "hub"])
    wizard.plan.set_answer("program_types.primary_model", "hub")


def test_the_first_model_is_chosen_from_the_models_ticked(keys, wizard, content):
    wizard.plan.set_answer("program_types.models", ["qrt", "Mobile crisis van"])
    keys(DOWN + ENTER)   # only the two ticked models are offered: the second is the free-text one
    wizard.edit(content.question("program_types.primary_model"))
    assert saved(wizard)["program_types"]["primary_model"] == "Mobile crisis van"


def test_a_stale_first_model_is_listed_under_things_to_double_check(content, tmp_path):
    from deflect_cli.plan import flow
    from deflect_cli.plan.model import new_plan
    from deflect_cli.session.report import status_text

    plan = new_plan(tmp_path / "plan.yaml", content)
    plan.set_answer("program_types.models", ["qrt"])
    plan.set_answer("program_types.primary_model", "hub")
    evaluation = flow.evaluate(content, plan.answers)
    [(question, message)] = flow.stale_answers(content, evaluation)
    assert question.key == "program_types.primary_model"
    assert message.startswith("First model to launch is 'HUB or situation table', which is no longer among "
                              "the answers to 'Program models chosen'.")
    assert message in " ".join(status_text(content, plan).split())


def test_changing_the_models_asks_the_first_model_again(keys, wizard, content):
    _models_plan(wizard)
    keys(DOWN * 5 + SPACE + ENTER,  # models: untick HUB (QRT stays ticked)
         ENTER)                    # the first model is asked again: QRT is the only one offered
    wizard.edit(content.question("program_types.models"))
    answers = saved(wizard)["program_types"]
    assert answers["models"] == ["qrt"] and answers["primary_model"] == "qrt"
    assert "1 later answer no longer fits this change (First model to launch)" in " ".join(
        wizard.screen.getvalue().split())


@pytest.mark.parametrize("target, problem", [
    ("models.chosen", None),
    ("models.qrt_window", "'choices_from' names 'models.qrt_window', which is not a multi_choice question"),
    ("launch.nothing", "'choices_from' names 'launch.nothing', which is not a question"),
    ("partners.roster", "which is not a multi_choice question"),
    ("models", "'choices_from' must be a full id like section.question"),
])
def test_choices_from_must_name_an_earlier_multi_choice(tmp_path, target, problem):
    import shutil

    from conftest import FIXTURES

    root = tmp_path / "c"
    shutil.copytree(FIXTURES / "mini", root)
    path = root / "sections" / "01-models.yaml"
    text = path.read_text()
    path.write_text(text.replace("    type: choice\n", f"    type: choice\n    choices_from: {target}\n", 1))
    if problem is None:
        assert load_content(root).question("models.lead").choices_from == "models.chosen"
        return
    with pytest.raises(ContentError) as raised:
        load_content(root)
    assert problem in "\n".join(raised.value.problems)


def test_a_number_with_a_unit_has_one_hint(wizard, content, monkeypatch):
    """12.16: "(deaths)  (a whole number, 0 or more)" read as two hints with a double space."""
    from deflect_cli.session.prompter import QUIT

    asked = []
    monkeypatch.setattr(wizard.ui, "text", lambda message, **kw: asked.append((message, kw)) or QUIT)
    wizard.edit(content.question("community_needs.overdose_deaths"))
    message, kw = asked[0]
    assert "(deaths)" not in message
    assert kw["instruction"].startswith("(deaths; a whole number")


def test_a_check_waits_until_every_question_it_reads_is_reached(keys, wizard, content):
    """Item 4: "no milestones are listed" came right after the launch date, before they were asked
    (workbook 2 lists activities)."""
    from deflect_cli.plan import flow
    keys("2099-03-01" + ENTER)
    wizard.edit(content.question("launch.start_date"))
    assert "no activities are listed" not in " ".join(wizard.screen.getvalue().split())
    # still listed where the whole plan is checked
    evaluation = flow.evaluate(content, wizard.plan.answers)
    assert "launch_date_without_activities" in [c.id for c in flow.checks_involving(
        content, evaluation, "launch.start_date")]
    # once milestones were reached (skipped for now), the check is said at the launch date
    wizard.plan.skipped.add("launch.activities") if isinstance(wizard.plan.skipped, set) \
        else wizard.plan.skipped.append("launch.activities")
    assert [c.id for c in flow.checks_involving(content, evaluation, "launch.start_date", wizard.plan.answers,
                                                wizard.plan.skipped)][:1] == ["launch_date_without_activities"]


def test_a_pilot_review_before_the_launch_is_checked(content):
    from deflect_cli.plan import flow
    answers = {"launch": {"start_date": "2027-03-01", "launch_approach": "pilot", "pilot_review": "2027-01-15"}}
    def fired(a):
        return [c.id for c in flow.checks_involving(content, flow.evaluate(content, a),
                                                               "launch.pilot_review")]
    assert "pilot_review_before_launch" in fired(answers)
    answers["launch"]["pilot_review"] = "2027-06-01"
    assert "pilot_review_before_launch" not in fired(answers)
