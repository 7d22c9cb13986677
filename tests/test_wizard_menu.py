"""The section menu (Ctrl-O) at any prompt: jump, first open question, guide, glossary, save and
quit; and going back across a section boundary without losing answers."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from deflect_cli.content.model import load_content
from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import load_plan
from deflect_cli.session.wizard import Wizard

from conftest import CTRL_B, CTRL_Q, DOWN, ENTER, FIXTURES, SPACE

CTRL_O = "\x0f"


@pytest.fixture(scope="module")
def mini():
    return load_content(FIXTURES / "mini")


def make(content, tmp_path) -> Wizard:
    screen = io.StringIO()
    wizard = Wizard(content, new_plan(tmp_path / "plan.yaml", content), console=Console(file=screen, width=100))
    wizard.screen = screen
    return wizard


@pytest.fixture
def wizard(mini, tmp_path):
    return make(mini, tmp_path)


def saved(wizard):
    return load_plan(wizard.plan.path)


def test_the_menu_jumps_to_another_section_and_keeps_every_answer(keys, wizard):
    keys(
        "PD" + ENTER,
        CTRL_O,                 # at the Program models intro
        DOWN + ENTER,           # Jump to a section
        DOWN + ENTER,           # the pointer starts on this section; one down is Partners
        ENTER,                  # Partners intro: go to the questions
        CTRL_O,                 # at the roster: menu again
        DOWN * 3 + ENTER,       # Go to the first question not yet answered
        SPACE + ENTER,          # models.chosen: QRT
        CTRL_Q,
    )
    assert wizard.run() == 0
    plan = saved(wizard)
    assert plan.answers == {"profile": {"agency": "PD"}, "models": {"chosen": ["qrt"]}}
    assert plan.position == "models.qrt_window"
    screen = wizard.screen.getvalue()
    assert screen.index("Section 2 of 3: Partners") < screen.rindex("Section 1 of 3 · question 1 of 2")


def test_back_to_the_question_changes_nothing(keys, wizard):
    keys("PD" + ENTER, ENTER, CTRL_O, ENTER, SPACE + ENTER, CTRL_Q)
    assert wizard.run() == 0
    assert saved(wizard).answers["models"] == {"chosen": ["qrt"]}


def test_the_menu_rereads_the_guide_then_returns_to_the_question(keys, wizard):
    keys("PD" + ENTER, ENTER, CTRL_O, DOWN * 3 + ENTER, CTRL_Q)
    assert wizard.run() == 0
    screen = wizard.screen.getvalue()
    assert "Some guide text." in screen
    assert screen.rindex("Section 1 of 3 · question 1 of 2") > screen.index("Some guide text.")
    assert saved(wizard).position == "models.chosen"


def test_the_menu_opens_the_glossary(keys, content, tmp_path):
    wizard = make(content, tmp_path)
    keys(CTRL_O, DOWN * 3 + ENTER, CTRL_Q)   # back, jump, review, glossary
    assert wizard.run() == 0
    first = sorted(content.glossary, key=lambda t: t["term"].lower())[0]
    assert first["term"] in wizard.screen.getvalue()


def test_save_and_quit_from_the_menu(keys, wizard):
    keys("PD" + ENTER, ENTER, CTRL_O, DOWN * 4 + ENTER)
    assert wizard.run() == 0
    plan = saved(wizard)
    assert plan.position == "models.chosen"
    assert "deflect resume" in wizard.screen.getvalue()


def test_back_from_a_section_intro_crosses_into_the_previous_section(keys, wizard):
    keys(
        "PD" + ENTER, ENTER, SPACE + ENTER, "24" + ENTER, ENTER,   # models: QRT, 24 h, lead QRT
        CTRL_B,                # at the Partners intro: back to models.lead
        DOWN + ENTER,          # change the lead to Self-referral
        ENTER,                 # Partners intro again
        CTRL_B,                # at the roster (first question of Partners): back again
        ENTER,                 # keep Self-referral
        CTRL_Q,
    )
    assert wizard.run() == 0
    plan = saved(wizard)
    assert plan.answers["models"] == {"chosen": ["qrt"], "qrt_window": 24, "lead": "self_referral"}
    assert plan.position == "partners.roster"
    assert wizard.screen.getvalue().count("Section 2 of 3: Partners") == 2


def test_back_at_the_very_first_question_says_so(keys, wizard):
    keys(CTRL_B, "PD" + ENTER, CTRL_Q)
    assert wizard.run() == 0
    assert "This is the first question." in wizard.screen.getvalue()


def test_a_question_hidden_by_a_change_in_the_review_is_passed_over(keys, wizard):
    for key, value in {"profile.agency": "PD", "models.chosen": ["qrt"]}.items():
        wizard.plan.set_answer(key, value)
    keys(
        CTRL_O,                  # at models.qrt_window (resumed mid-section: no intro)
        DOWN * 2 + ENTER,        # Check and change your answers
        DOWN + ENTER,            # Section 1: Program models
        ENTER,                   # row 1: Models chosen
        SPACE + DOWN + SPACE + ENTER,   # untick QRT, tick Self-referral
        DOWN + ENTER,            # pointer waits on Lead model; one down is Done
        DOWN * 3 + ENTER,        # Done checking (pointer was on Section 1)
        CTRL_Q,                  # now at models.lead: the QRT window no longer applies
    )
    start = wizard.content.question("models.qrt_window")
    assert wizard.run(start=start) == 0
    plan = saved(wizard)
    assert plan.answers["models"] == {"chosen": ["self_referral"]}
    assert plan.position == "models.lead"
