"""The wizard driven through prompt_toolkit's pipe input: answers, back, skip, quit, Ctrl-C, tables."""

from __future__ import annotations

import pytest

from deflect_cli.content.model import load_content
from deflect_cli.plan.store import load_plan

from conftest import CTRL_B, CTRL_C, CTRL_N, CTRL_Q, DOWN, ENTER, FIXTURES, SPACE, no_ids, screen_wizard

BACKSPACE = "\x7f"


@pytest.fixture(scope="module")
def mini():
    return load_content(FIXTURES / "mini")


@pytest.fixture
def wizard(mini, tmp_path):
    return screen_wizard(mini, tmp_path, width=100)


def saved(wizard):
    return load_plan(wizard.plan.path)


def test_answer_go_back_change_and_quit(keys, wizard):
    keys(
        "Riverton PD" + ENTER,          # profile.agency
        ENTER,                          # section intro: go to the questions
        SPACE + ENTER,                  # models.chosen: tick QRT
        "48" + ENTER,                   # models.qrt_window
        CTRL_B,                         # back to qrt_window (prefilled 48)
        BACKSPACE * 2 + "72" + ENTER,   # change it
        ENTER,                          # models.lead: first choice
        CTRL_Q,                         # save and quit at the partners intro
    )
    assert wizard.run() == 0
    plan = saved(wizard)
    assert plan.answers == {
        "profile": {"agency": "Riverton PD"},
        "models": {"chosen": ["qrt"], "qrt_window": 72, "lead": "qrt"},
    }
    assert plan.position == "partners.roster"
    assert "deflect resume" in wizard.screen.getvalue()


def test_going_back_keeps_later_answers(keys, wizard):
    keys("PD" + ENTER, ENTER, SPACE + ENTER, "48" + ENTER, CTRL_B, CTRL_B, ENTER, ENTER, CTRL_Q)
    assert wizard.run() == 0
    assert saved(wizard).answers["models"] == {"chosen": ["qrt"], "qrt_window": 48}


def test_ctrl_c_saves_and_exits_130(keys, wizard):
    keys("PD" + ENTER, ENTER, CTRL_C)
    assert wizard.run() == 130
    plan = saved(wizard)
    assert plan.answers == {"profile": {"agency": "PD"}}
    assert plan.position == "models.chosen"
    assert "Saved 1 answer in" in wizard.screen.getvalue()


def test_ctrl_d_on_an_empty_prompt_also_saves(keys, wizard):
    keys("\x04")
    assert wizard.run() == 0  # end of input is a normal way to stop (was 130, like Ctrl-C)
    assert saved(wizard).answers == {}


def test_skip_records_the_question_as_skipped(keys, wizard):
    keys(CTRL_N, ENTER, CTRL_N, CTRL_Q)
    assert wizard.run() == 0
    plan = saved(wizard)
    assert plan.skipped == ["profile.agency", "models.chosen"]
    assert plan.answers == {}


def test_required_text_cannot_be_left_empty(keys, wizard):
    keys(ENTER, "PD" + ENTER, CTRL_Q)
    wizard.run()
    assert saved(wizard).answers == {"profile": {"agency": "PD"}}


def test_number_is_validated_while_typing(keys, wizard):
    keys("PD" + ENTER, ENTER, SPACE + ENTER, "abc" + ENTER, BACKSPACE * 3 + "500" + ENTER,
         BACKSPACE * 3 + "1,000" + ENTER, BACKSPACE * 5 + "24" + ENTER, CTRL_Q)
    wizard.run()
    assert saved(wizard).answers["models"]["qrt_window"] == 24


def test_other_choice_stores_the_description(keys, wizard):
    keys("PD" + ENTER, ENTER, DOWN + DOWN + SPACE + ENTER, "Mobile crisis van" + ENTER, ENTER, CTRL_Q)
    wizard.run()
    assert saved(wizard).answers["models"] == {"chosen": ["Mobile crisis van"], "lead": "qrt"}


def test_table_rows_are_added_and_saved_as_they_go(keys, wizard):
    wizard.plan.set_answer("profile.agency", "PD")
    wizard.plan.set_answer("models.chosen", ["self_referral"])
    wizard.plan.set_answer("models.lead", "self_referral")
    keys(
        ENTER,                                  # partners intro
        ENTER, "Clinic" + ENTER, ENTER, ENTER,  # add row: name, kind Treatment, signed Yes
        ENTER, "Health Dept" + ENTER, DOWN + ENTER, DOWN + ENTER,  # second row: Health department, No
        CTRL_C,                                 # interrupted while on the table menu
    )
    assert wizard.run() == 130
    assert no_ids(saved(wizard).answers["partners"]["roster"]) == [
        {"name": "Clinic", "kind": "treatment", "signed": True},
        {"name": "Health Dept", "kind": "health", "signed": False},
    ]


def test_finishing_says_how_to_export(keys, wizard, mini):
    for key, value in {"profile.agency": "PD", "models.chosen": ["qrt"], "models.qrt_window": 24,
                       "models.lead": "qrt", "partners.roster": [{"name": "Clinic"}], "partners.has_mou": True,
                       "partners.notes": "n", "launch.start_date": "2027-01-01"}.items():
        wizard.plan.set_answer(key, value)
    keys("Chief Ruiz" + ENTER, ENTER)     # the answer, then "Finish for now" on the end screen
    assert wizard.run() == 0
    assert saved(wizard).answers["launch"]["owner"] == "Chief Ruiz"
    assert "deflect export --format md" in wizard.screen.getvalue()
