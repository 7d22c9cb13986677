"""The installed `deflect` in a pseudo-terminal: back across a section boundary, a change made
through the menu's review, a welcome-back summary on resume, and plain mode on a dumb terminal."""

from __future__ import annotations

import re

import pytest

from deflect_cli.plan.store import load_plan

from conftest import FIXTURES, answer_mini_models, spawn

pexpect = pytest.importorskip("pexpect")

MINI = str(FIXTURES / "mini")
DOWN, ENTER, SPACE, BACKSPACE = "\x1b[B", "\r", " ", "\x7f"


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_back_across_sections_edit_in_review_and_resume(deflect_bin, tmp_path):
    child = spawn(deflect_bin, ["start", "--content", MINI], tmp_path)
    answer_mini_models(child)
    child.send(ENTER)                                   # Quick Response Team
    child.expect("Section 2 of 3: Partners")
    child.expect("How would you like to begin this section")
    child.sendcontrol("b")                              # back into section 1
    child.expect("Which one leads")
    child.send(DOWN + ENTER)                            # change it: Self-referral
    child.expect("How would you like to begin this section")
    child.send(ENTER)
    child.expect("Add a row")                           # the partner roster
    child.sendcontrol("o")                              # the section menu
    child.expect("Menu: what would you like to do")
    child.send(DOWN * 2 + ENTER)                        # Check and change your answers
    child.expect("Which section would you like to check")
    child.send(DOWN + ENTER)                            # Section 1: Program models
    child.expect("Choose an answer to change")
    child.expect("Done with this section")
    child.send(DOWN + ENTER)                            # row 2: the QRT follow-up window
    child.expect("How many hours after an overdose")
    child.send(BACKSPACE * 2 + "24" + ENTER)
    child.expect("Choose an answer to change")          # back on the list, pointer on row 3
    child.expect("Done with this section")
    child.send(DOWN + ENTER)                            # Done with this section
    child.expect("Which section would you like to check")
    child.expect("Done checking")
    child.send(DOWN * 3 + ENTER)                        # Done checking
    child.expect("Add a row")                           # back where the menu was opened
    child.sendcontrol("q")
    child.expect("deflect resume")
    assert finish(child) == 0

    plan = load_plan(tmp_path / "deflection-plan.yaml")
    assert plan.answers["models"] == {"chosen": ["qrt"], "qrt_window": 24, "lead": "self_referral"}
    assert plan.position == "partners.roster"

    child = spawn(deflect_bin, ["resume", "--content", MINI], tmp_path)
    child.expect("Welcome back")
    child.expect(re.escape("Sections done: About this plan, 1. Program models."))
    child.expect(re.escape("Next: Section 2 of 3 · question 1 of 3: Who are your partners?"))
    child.expect("How would you like to begin this section")   # the roster opens its section
    child.send(ENTER)
    child.expect("Add a row")
    child.send(DOWN + ENTER)                            # Done with no rows: skipped for now
    child.expect("Skipped for now")
    child.expect("Is an MOU signed")
    child.sendcontrol("c")
    child.expect(r"Saved \d+ answers? in ")
    assert finish(child) == 130
    plan = load_plan(tmp_path / "deflection-plan.yaml")
    assert plan.skipped == ["partners.roster"]
    assert plan.position == "partners.has_mou"


def test_a_dumb_terminal_gets_plain_mode(deflect_bin, tmp_path):
    child = spawn(deflect_bin, ["start", "--content", MINI], tmp_path, term="dumb")
    child.expect("Lead agency\\? \\(required\\)")
    child.send("Riverton PD" + ENTER)
    child.expect("Saved: Riverton PD")
    child.expect("Type a number from 1 to 2")
    child.send("menu" + ENTER)
    child.expect("Menu: what would you like to do")
    child.expect("Type a number from 1 to 5")
    child.send("5" + ENTER)                             # Save and quit
    child.expect(pexpect.EOF)
    transcript = child.before
    child.close()
    assert child.exitstatus == 0
    assert "\x1b" not in transcript
    assert load_plan(tmp_path / "deflection-plan.yaml").position == "models.chosen"
