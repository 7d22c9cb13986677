"""Moving around like in any other program: Esc cancels a menu, the jump list has Cancel, Home and
End work in lists, Ctrl-B after a jump goes back to where the person was, and `edit` stays put."""

from __future__ import annotations

import pytest

from deflect_cli.content import load_content
from deflect_cli.plan import load_plan

from conftest import CTRL_B, CTRL_N, CTRL_Q, DOWN, ENTER, ESC, FIXTURES, SPACE, UP, screen_wizard

CTRL_O = "\x0f"
HOME, END = "\x1b[H", "\x1b[F"


@pytest.fixture(scope="module")
def mini():
    return load_content(FIXTURES / "mini")


@pytest.fixture
def wizard(mini, tmp_path):
    return screen_wizard(mini, tmp_path, width=100)


def saved(wizard):
    return load_plan(wizard.plan.path)


def test_esc_closes_the_menu_and_the_question_is_asked_again(keys, wizard):
    keys(CTRL_O, ESC, "PD" + ENTER, CTRL_Q)
    assert wizard.run() == 0
    assert saved(wizard).answers == {"profile": {"agency": "PD"}}


def test_home_and_end_move_to_the_first_and_last_entries(keys, wizard, tmp_path, mini):
    keys(CTRL_O, DOWN * 2, HOME, ENTER,          # Home: Back to the question (not Check your answers)
         "PD" + ENTER, CTRL_Q)
    assert wizard.run() == 0
    assert saved(wizard).answers == {"profile": {"agency": "PD"}}


def test_end_moves_to_the_last_entry(keys, wizard):
    keys(CTRL_O, END, ENTER, "PD" + ENTER)       # End: Save and quit; nothing after it is read
    assert wizard.run() == 0
    assert saved(wizard).answers == {}


def test_the_jump_list_can_be_cancelled(keys, wizard):
    keys(CTRL_O, DOWN + ENTER,                   # Jump to a section
         END + ENTER,                            # Cancel: back in the menu
         ENTER,                                  # Back to the question
         "PD" + ENTER, CTRL_Q)
    assert wizard.run() == 0
    assert saved(wizard).answers == {"profile": {"agency": "PD"}}
    assert wizard.screen.getvalue().count(" About this plan ─") == 1   # no jump: no second section heading
