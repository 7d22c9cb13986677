"""The command line's steps that moved into the session layer, tested without the command line:
choosing the depth at `start`, and the `sections` listing."""

from __future__ import annotations

import pytest
import typer

from deflect_cli.content import resources
from deflect_cli.errors import DeflectError
from deflect_cli.session import console
from deflect_cli.session.catalog import sections_text
from deflect_cli.session.prompter import Interrupted
from deflect_cli.session.start import choose_depth

from conftest import FIXTURES


def test_the_depth_flags_win_and_exclude_each_other(content):
    assert choose_depth(content, True, False, False, "") == "core"
    assert choose_depth(content, False, True, False, "") == "full"
    with pytest.raises(DeflectError, match=r"^choose one of --core and --full\.$"):
        choose_depth(content, True, True, False, "")


def test_content_without_core_questions_has_only_the_full_workbook(monkeypatch):
    mini = resources.load(str(FIXTURES / "mini"))
    monkeypatch.setattr(console, "terminal", lambda no_input=False: True)
    assert choose_depth(mini, False, False, False, "") == "full"  # nothing to ask, even in a terminal
    with pytest.raises(DeflectError, match="marks no question `core: true`, so it has no core path"):
        choose_depth(mini, True, False, False, "")


def test_without_a_terminal_the_full_workbook_is_chosen_without_asking(content, monkeypatch):
    monkeypatch.setattr(typer, "prompt", lambda *a, **k: pytest.fail("asked without a terminal"))
    monkeypatch.setattr(console, "terminal", lambda no_input=False: not no_input)
    assert choose_depth(content, False, False, True, "") == "full"


def test_in_a_terminal_the_depth_is_asked_until_answered(content, monkeypatch, capsys):
    answers = iter(["3", "1"])
    monkeypatch.setattr(console, "terminal", lambda no_input=False: True)
    monkeypatch.setattr(typer, "prompt", lambda *a, **k: next(answers))
    assert choose_depth(content, False, False, False, "") == "core"
    out = capsys.readouterr().out
    assert "  1. A first plan in about 45 minutes (core questions)\n  2. The full workbook\n" in out
    assert "Type 1 for the core questions or 2 for the full workbook." in out


def test_ctrl_c_at_the_depth_question_says_nothing_was_done(content, monkeypatch, capsys):
    def interrupt(*args, **kwargs):
        raise typer.Abort()

    monkeypatch.setattr(console, "terminal", lambda no_input=False: True)
    monkeypatch.setattr(typer, "prompt", interrupt)
    with pytest.raises(Interrupted) as stopped:
        choose_depth(content, False, False, False, "No plan was started.")
    assert stopped.value.code == 130
    assert capsys.readouterr().out.endswith("\nNo plan was started.\n")


def test_sections_lists_each_section_then_the_totals_and_provenance(content):
    lines = sections_text(content).split("\n")
    assert len(lines) == len(content.all_sections) + 2
    assert lines[-1] == resources.PROVENANCE
    assert lines[-2].startswith(f"{sum(1 for _ in content.questions())} questions in all; ")
    partnerships = next(line for line in lines if " partnerships " in line)
    assert partnerships.startswith(" 5  partnerships ") and partnerships.endswith("  " + content.section("5").title)
    assert lines[0].startswith(" -  profile ")  # the plan-level questions have no section number
