"""Text typed but not submitted is never dropped: quitting (Ctrl-C, Ctrl-D, Ctrl-Q, the menu, end of
piped input) saves a valid answer as the answer and keeps anything else as a draft on the question,
filled in again when the person comes back; the quit message says which."""

from __future__ import annotations

import io

import pytest

from deflect_cli.content.model import load_content
from deflect_cli.errors import PlanError
from deflect_cli.plan import model
from deflect_cli.plan.store import load_plan, save_plan
from deflect_cli.session.plain import PlainPrompter
from deflect_cli.session.prompter import QUIT as QUIT_SIGNAL
from deflect_cli.session.wizard import Wizard

from conftest import CTRL_B, CTRL_C, CTRL_D, CTRL_N, CTRL_Q, DOWN, ENTER, FIXTURES, SPACE, screen_wizard

MINI = FIXTURES / "mini"
BACKSPACE = "\x7f"
CTRL_O = "\x0f"
TO_WINDOW = ("PD" + ENTER, ENTER, SPACE + ENTER)   # agency, section intro, tick QRT: at qrt_window


@pytest.fixture(scope="module")
def mini():
    return load_content(MINI)


@pytest.fixture
def wizard(mini, tmp_path):
    return screen_wizard(mini, tmp_path, width=100)


def screen(wizard) -> str:
    return " ".join(wizard.screen.getvalue().split())


@pytest.mark.parametrize("key, code", [(CTRL_C, 130), (CTRL_Q, 0), (CTRL_D, 0)])
def test_a_valid_answer_typed_but_not_submitted_is_saved_on_quit(keys, wizard, key, code):
    keys(*TO_WINDOW, "140", key)
    assert wizard.run() == code
    plan = load_plan(wizard.plan.path)
    assert plan.answers["models"]["qrt_window"] == 140
    assert plan.drafts == {}
    assert plan.position == "models.qrt_window"
    assert ("Saved 3 answers in " in screen(wizard)
            and "including the one you were typing to 'How many hours after an overdose does the QRT...' (140 hours)"
            in screen(wizard))


def test_an_invalid_answer_is_kept_as_a_draft_and_offered_back(keys, wizard, mini):
    keys(*TO_WINDOW, "400" + ENTER, CTRL_Q)              # over the maximum: refused, then quit
    assert wizard.run() == 0
    assert "your unfinished answer to 'How many hours after an overdose does the QRT...' is kept as a draft " \
           "and shown when you return" in screen(wizard)
    plan = load_plan(wizard.plan.path)
    assert plan.drafts == {"models.qrt_window": "400"}
    assert "qrt_window" not in plan.answers["models"]


def test_the_draft_is_filled_in_when_the_person_returns(mini, tmp_path):
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    first = screen_wizard(mini, tmp_path)
    first.plan.set_answer("models.chosen", ["qrt"])
    first.plan.drafts["models.qrt_window"] = "1x"
    save_plan(first.plan)
    again = Wizard(mini, load_plan(first.plan.path), console=first.console)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(BACKSPACE + "6" + ENTER + CTRL_Q)  # only "1x" filled in makes this 16
        assert again.run(start=mini.question("models.qrt_window")) == 0
    plan = load_plan(first.plan.path)
    assert plan.answers["models"]["qrt_window"] == 16
    assert plan.drafts == {}
    assert "What you typed before is filled in again" in first.screen.getvalue()


def test_the_menus_save_and_quit_keeps_the_typed_text(keys, wizard):
    keys(*TO_WINDOW, "14x", CTRL_O, DOWN * 4 + ENTER)     # menu: ... Save and quit
    assert wizard.run() == 0
    plan = load_plan(wizard.plan.path)
    assert plan.drafts == {"models.qrt_window": "14x"}
    assert "unfinished answer to 'How many hours" in screen(wizard)


def test_back_keeps_the_typed_text_and_skip_drops_it(keys, wizard):
    keys(*TO_WINDOW, "14x", CTRL_B, ENTER,               # back to models.chosen, keep the tick
         CTRL_N, CTRL_Q)                                 # at the window again: skip it
    assert wizard.run() == 0
    plan = load_plan(wizard.plan.path)
    assert plan.drafts == {}
    assert "qrt_window" not in plan.answers["models"]
    assert "models.qrt_window" in plan.skipped
    assert "What you typed before is filled in again" in wizard.screen.getvalue()


def test_two_lines_of_a_long_answer_survive_ctrl_c(keys, wizard, mini):
    wizard.plan.set_answer("partners.roster", [{"name": "Clinic"}])
    wizard.plan.set_answer("partners.has_mou", True)
    keys("First line" + ENTER + "second line", CTRL_C)
    assert wizard.run(start=mini.question("partners.notes")) == 130
    assert load_plan(wizard.plan.path).answers["partners"]["notes"] == "First line\nsecond line"


# --------------------------------------------------------------------------- plain mode


def test_plain_mode_keeps_a_refused_line_and_unfinished_lines_at_end_of_input(mini, tmp_path):
    plan = model.new_plan(tmp_path / "plan.yaml", mini)
    ui = PlainPrompter(stdin=io.StringIO("PD\n1\n1\n400"), stdout=io.StringIO())
    assert Wizard(mini, plan, ui=ui).run() == 0
    saved = load_plan(plan.path)
    assert saved.drafts == {"models.qrt_window": "400"}
    out = ui.stdout.getvalue()
    assert "Not saved:" in out
    assert "End of input: stopped at 'QRT follow-up window' (models.qrt_window)" in out
    assert "kept as a draft" in out

    plan = load_plan(plan.path)
    plan.set_answer("partners.has_mou", True)
    ui = PlainPrompter(stdin=io.StringIO("First line\nsecond line"), stdout=io.StringIO())
    assert Wizard(mini, plan, ui=ui).run(start=mini.question("partners.notes")) == 0
    assert load_plan(plan.path).answers["partners"]["notes"] == "First line\nsecond line"


# --------------------------------------------------------------------------- the plan file


def test_drafts_round_trip_and_a_format_2_plan_loads_unchanged(tmp_path, mini):
    old = load_plan(FIXTURES / "format2_plan.yaml")
    assert old.drafts == {}
    assert old.answers == {"profile": {"agency": "Riverton PD"}, "models": {"chosen": ["qrt"]}}
    plan = model.new_plan(tmp_path / "plan.yaml", mini)
    plan.drafts["models.qrt_window"] = "14x"
    save_plan(plan)
    assert f"deflect_plan: {model.SCHEMA_VERSION}" in plan.path.read_text() and model.SCHEMA_VERSION == 3
    assert load_plan(plan.path).drafts == {"models.qrt_window": "14x"}


@pytest.mark.parametrize("bad", ["drafts: [a]\n", "drafts: {models.qrt_window: 14}\n", "drafts: {nodot: x}\n"])
def test_a_draft_must_be_text_under_a_question_id(tmp_path, bad):
    text = (FIXTURES / "format2_plan.yaml").read_text().replace("end_of_plan: true\n", bad + "end_of_plan: true\n")
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace("deflect_plan: 2", "deflect_plan: 3"))
    with pytest.raises(PlanError, match="'drafts' must map"):
        load_plan(path)


# --------------------------------------------------------------------------- control characters


def test_a_control_character_never_enters_an_answer(keys, wizard):
    from deflect_cli.session.askers import _text_validator

    paste = "\x1b[200~\x07\x1b[201~"                        # a bell pasted into the middle
    keys("River" + paste + "ton" + ENTER, CTRL_Q)           # refused; quitting saves it without the bell
    assert wizard.run() == 0
    plan = load_plan(wizard.plan.path)
    assert plan.answers == {"profile": {"agency": "Riverton"}}
    assert plan.position == "profile.agency"
    assert _text_validator(wizard.content.question("profile.agency"), True, "")("River\x1aton") == (
        "The answer has a control character, Ctrl-Z (\\x1a), at character 6; delete it and try again.")


def test_plain_mode_refuses_a_control_character_with_a_message(mini, tmp_path):
    plan = model.new_plan(tmp_path / "plan.yaml", mini)
    ui = PlainPrompter(stdin=io.StringIO("River\x1aton\nRiverton\nquit\n"), stdout=io.StringIO())
    assert Wizard(mini, plan, ui=ui).run() == 0
    assert "> River\\x1aton\nNot saved: The answer has a control character, Ctrl-Z (\\x1a), at character 6" \
        in ui.stdout.getvalue()
    assert load_plan(plan.path).answers == {"profile": {"agency": "Riverton"}}


def test_welcome_back_names_the_questions_with_drafts(mini, tmp_path):
    wizard = screen_wizard(mini, tmp_path)
    wizard.plan.drafts["models.qrt_window"] = "1400"
    wizard.welcome_back(None)
    assert ("Unfinished answers kept from last time (filled in when you open those questions): "
            "QRT follow-up window.") in " ".join(wizard.screen.getvalue().split())


def test_text_typed_in_deflect_edit_is_kept_when_it_is_interrupted(keys, wizard, mini):
    from deflect_cli.session.prompter import Interrupted

    wizard.plan.set_answer("models.chosen", ["qrt"])
    keys("1400", CTRL_C)
    with pytest.raises(Interrupted):
        wizard.edit(mini.question("models.qrt_window"))
    assert wizard.signed_off(130) == 130                  # what `deflect edit` does on Ctrl-C
    assert load_plan(wizard.plan.path).drafts == {"models.qrt_window": "1400"}
    assert "kept as a draft" in screen(wizard)


def test_an_unfinished_other_description_is_kept_and_filled_in_again(keys, wizard, mini):
    keys(*TO_WINDOW[:2], DOWN * 2 + SPACE + ENTER, "Mobile van", CTRL_Q)   # tick Other, describe, quit
    assert wizard.run() == 0
    assert load_plan(wizard.plan.path).drafts == {"models.chosen": "Mobile van"}
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    again = Wizard(mini, load_plan(wizard.plan.path), console=wizard.console)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(ENTER + SPACE + DOWN * 2 + SPACE + ENTER + " crisis" + ENTER + CTRL_Q)  # intro; QRT, Other
        assert again.run(start=mini.question("models.chosen")) == 0
    plan = load_plan(wizard.plan.path)
    assert plan.answers["models"]["chosen"] == ["qrt", "Mobile van crisis"]
    assert plan.drafts == {}


def test_quit_at_the_past_date_question_keeps_the_date_as_a_draft(keys, mini, tmp_path):
    import dataclasses

    question = dataclasses.replace(mini.question("launch.start_date"), future=True)
    wizard = screen_wizard(mini, tmp_path)
    keys("2001-01-01" + ENTER, CTRL_Q)                  # in the past: "Keep this date?", then quit
    assert wizard.askers._ask_text(question, None) is QUIT_SIGNAL
    assert wizard.plan.drafts == {"launch.start_date": "2001-01-01"}
    assert wizard.plan.answers == {}


def test_finishing_at_the_end_of_the_workbook_says_drafts_are_kept(keys, wizard):
    wizard.plan.drafts["models.qrt_window"] = "1400"
    keys(ENTER)                                          # Finish for now
    assert wizard.walk._end_of_workbook() is None
    assert "Saved 0 answers in " in screen(wizard)
    assert "1 unfinished answer is kept as a draft for when you return." in screen(wizard)
