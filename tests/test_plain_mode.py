"""Plain mode: numbered choices typed as digits, typed commands, an echo of each answer, and no
escape sequence or box drawing anywhere, so it works with a screen reader and through a pipe."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest

from deflect_cli.content.model import load_content
from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import load_plan, save_plan
from deflect_cli.session.interface import use_plain
from deflect_cli.session.plain import PlainPrompter, edit_in_editor, plain_markdown
from deflect_cli.session.prompter import BACK, MENU, QUIT, SKIP, Interrupted, Option
from deflect_cli.session.wizard import Wizard

from conftest import FIXTURES, clean_env, no_ids

MINI = str(FIXTURES / "mini")
ESCAPE = re.compile(r"\x1b|\x9b")
BOX_DRAWING = re.compile(r"[\u2500-\u259f\u25a0-\u25ff]")


def prompter(*lines: str) -> PlainPrompter:
    return PlainPrompter(stdin=io.StringIO("".join(f"{line}\n" for line in lines)), stdout=io.StringIO())


def output(ui: PlainPrompter) -> str:
    return ui.stdout.getvalue()


@pytest.fixture(scope="module")
def mini():
    return load_content(MINI)


# --------------------------------------------------------------------------- the prompter


def test_select_takes_a_number_a_label_or_enter_for_the_current_choice():
    options = [Option("Weekly", "weekly"), Option("Monthly", "monthly")]
    assert prompter("2").select("How often?", options) == "monthly"
    assert prompter("weekly").select("How often?", options) == "weekly"
    assert prompter("").select("How often?", options, default="monthly") == "monthly"
    ui = prompter("7", "x", "1")
    assert ui.select("How often?", options) == "weekly"
    assert output(ui).count("Not understood: type a number from 1 to 2") == 2
    assert "  1. Weekly\n  2. Monthly\n" in output(ui)


def test_disabled_choices_are_listed_without_a_number():
    options = [Option("Roster", "a"), Option("Sites", "b", disabled="does not apply"), Option("Done", "c")]
    ui = prompter("2")
    assert ui.select("Change which?", options) == "c"
    assert "  -  Sites (does not apply)\n  2. Done" in output(ui)


@pytest.mark.parametrize("word, signal", [("back", BACK), ("skip", SKIP), ("menu", MENU), ("quit", QUIT),
                                          (":back", BACK), ("  Quit ", QUIT)])
def test_navigation_is_typed_as_a_word_at_any_prompt(word, signal):
    assert prompter(word).text("Agency?") is signal
    assert prompter(word).select("Pick", [Option("A", 1)]) is signal
    assert prompter(word).checkbox("Pick", [Option("A", 1)]) is signal


def test_help_shows_the_question_help_and_the_commands_then_asks_again():
    ui = prompter("help", "Riverton PD")
    ui.set_help("The agency that will own the program.")
    assert ui.text("Agency?") == "Riverton PD"
    text = output(ui)
    assert "The agency that will own the program." in text
    assert "back (previous question), skip" in text


def test_text_is_validated_and_the_message_says_what_is_expected():
    ui = prompter("abc", "12")
    answer = ui.text("How many?", validate=lambda t: t.isdigit() or "Type a number, like 12.")
    assert answer == "12"
    assert "Not saved: Type a number, like 12." in output(ui)


def test_enter_keeps_the_current_text():
    assert prompter("").text("Agency?", default="Riverton PD") == "Riverton PD"


def test_checkbox_takes_numbers_separated_by_commas_or_spaces():
    options = [Option("QRT", "qrt"), Option("Self-referral", "self"), Option("HUB", "hub")]
    assert prompter("1, 3").checkbox("Models?", options) == ["qrt", "hub"]
    assert prompter("3 1 3").checkbox("Models?", options) == ["hub", "qrt"]
    assert prompter("").checkbox("Models?", options, checked=["self"]) == ["self"]
    assert prompter("none").checkbox("Models?", options, checked=["self"]) == []
    ui = prompter("1, 9", "", "2")
    assert ui.checkbox("Models?", options, validate=lambda v: bool(v) or "Tick at least one.") == ["self"]
    assert "Not understood: '9'" in output(ui)
    assert "Not saved: Tick at least one." in output(ui)


def test_long_text_ends_with_a_full_stop_line():
    ui = prompter("First line", "", "  indented", ".")
    assert ui.text("Notes?", multiline=True) == "First line\n\n  indented"
    assert "type a line with only a full stop (.)" in output(ui)


def test_long_text_keeps_the_current_answer_on_enter():
    assert prompter("").text("Notes?", multiline=True, default="Old\ntext") == "Old\ntext"


def test_long_text_can_be_written_in_the_editor(monkeypatch, tmp_path):
    script = tmp_path / "fake-editor"
    script.write_text('#!/bin/sh\nprintf "Written in the editor\\n" > "$1"\n')
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    ui = prompter("edit")
    assert ui.text("Notes?", multiline=True) == "Written in the editor"
    assert "type edit on the first line" in output(ui)


def test_editor_failure_returns_none(monkeypatch):
    assert edit_in_editor("x", "false") is None
    assert edit_in_editor("x", "/no/such/editor") is None


def test_end_of_input_saves_and_leaves():
    with pytest.raises(Interrupted):
        prompter().text("Agency?")


def test_plain_markdown_drops_marks_but_keeps_words_and_links():
    text = plain_markdown("## Why\n\nSee **the guide** and *this* [page](https://x.org) or <https://y.org>.\n* item")
    assert text == "Why\n\nSee the guide and this page (https://x.org) or https://y.org.\n- item"


def test_plain_mode_turns_on_for_dumb_terminals_not_for_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert not use_plain(False)
    assert use_plain(True)
    monkeypatch.setenv("TERM", "dumb")
    assert use_plain(False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("NO_COLOR", "1")  # colour off only (no-color.org), see test_no_color.py
    assert not use_plain(False)
    assert use_plain(True)


# --------------------------------------------------------------------------- the wizard in plain mode


def test_the_wizard_echoes_every_answer_and_counts_progress(mini, tmp_path):
    ui = prompter("Riverton PD", "1", "1", "200", "48", "back", "", "2", "quit")
    wizard = Wizard(mini, new_plan(tmp_path / "plan.yaml", mini), ui=ui)
    assert wizard.run() == 0
    text = output(ui)
    assert "Saved: Riverton PD" in text
    assert "Saved: Quick Response Team" in text
    assert "Not saved: Must be at most 168." in text
    assert text.count("Saved: 48 hours") == 2          # answered, then kept after going back
    assert "Saved: Self-referral" in text
    assert "Section 1 of 3 - question 2 of 3" in text
    plan = load_plan(tmp_path / "plan.yaml")
    assert plan.answers["models"] == {"chosen": ["qrt"], "qrt_window": 48, "lead": "self_referral"}
    assert plan.position == "partners.roster"


# --------------------------------------------------------------------------- the real command through a pipe


KEYS = [
    "Riverton PD",        # profile.agency
    "help",               # section intro: help, then asked again
    "1",                  # go to the questions
    "1, 3",               # models.chosen: QRT and Other
    "Mobile crisis van",  # the Other description
    "abc", "36",          # qrt_window: not a number, then 36
    "back",               # at models.lead: back to qrt_window
    "",                   # keep 36
    "1",                  # models.lead: QRT
    "2",                  # partners intro: read the guide first
    "1",                  # table: add a row
    "Clinic", "1", "1",   # name, kind Treatment, MOU signed Yes
    "4",                  # done with the table (add, edit 1, remove, done)
    "skip",               # has_mou: skip for now
    "Line one", "Line two", ".",   # notes, several lines
    "menu", "3",          # launch intro: menu, check your answers
    "2", "2",             # section 1, change the QRT window
    "40",
    "4",                  # done with the section
    "5",                  # done checking: back to where the menu was opened from, the launch intro
    "1",                  # go to the questions
    "2027-13-01", "2027-03-01",
    "quit",
]


def run_plain(args, keys, cwd, **env):
    return subprocess.run(
        [sys.executable, "-m", "deflect_cli", *args], input="".join(k + "\n" for k in keys),
        capture_output=True, text=True, cwd=cwd, timeout=60, env=clean_env(TERM="xterm-256color", **env),
    )


def test_a_whole_session_piped_into_plain_mode_has_no_escapes_or_box_drawing(tmp_path):
    result = run_plain(["start", "--plain", "--content", MINI], KEYS, tmp_path)
    transcript = result.stdout + result.stderr
    assert result.returncode == 0, transcript
    assert not ESCAPE.search(transcript), "plain mode wrote an escape sequence"
    assert not BOX_DRAWING.search(transcript), "plain mode drew a box"
    assert transcript.isascii()
    for echo in ("Saved: Riverton PD", "Saved: Quick Response Team, Mobile crisis van", "Saved: 40 hours",
                 "Saved: Line one", "Skipped for now", "Check your answers: Section 1 of 3: Program models",
                 "Not saved: Type a number, like 12 or 2500.50.", "Not saved: 2027-13-01 is not a date: there is no "
                                                                  "month 13.",
                 "Partners matter.", "1. Organization: Clinic; Kind: Treatment; MOU signed: Yes"):
        assert echo in transcript, echo
    plan = load_plan(tmp_path / "deflection-plan.yaml")
    assert plan.answers["models"] == {"chosen": ["qrt", "Mobile crisis van"], "qrt_window": 40, "lead": "qrt"}
    assert no_ids(plan.answers["partners"]) == {"roster": [{"name": "Clinic", "kind": "treatment", "signed": True}],
                                        "notes": "Line one\nLine two"}
    assert plan.answers["launch"] == {"start_date": "2027-03-01"}
    assert plan.skipped == ["partners.has_mou"]
    assert plan.position == "launch.owner"


def test_plain_mode_with_no_color_writes_no_escapes(tmp_path, mini):
    result = run_plain(["start", "--plain", "--content", MINI], ["PD", "quit"], tmp_path, NO_COLOR="1")
    assert result.returncode == 0
    assert not ESCAPE.search(result.stdout)


def test_without_plain_a_pipe_never_prompts(tmp_path):
    result = run_plain(["start", "--content", MINI], ["Riverton PD"], tmp_path)
    assert result.returncode == 0  # the plan is started; no answers file was given, so nothing is "missing"
    assert "missing" not in result.stderr and "add --plain to type them through a pipe" in result.stdout


def test_resume_in_plain_mode_summarises_before_continuing(tmp_path, mini):
    plan = new_plan(tmp_path / "deflection-plan.yaml", mini)
    plan.set_answer("profile.agency", "Riverton PD")
    for key, value in {"models.chosen": ["qrt"], "models.qrt_window": 24, "models.lead": "qrt"}.items():
        plan.set_answer(key, value)
    save_plan(plan)
    result = run_plain(["resume", "--plain", "--content", MINI], ["1", "quit"], tmp_path)
    assert result.returncode == 0
    out = result.stdout
    assert out.index("Welcome back") < out.index("Who are your partners?")
    assert "Sections done: About this plan, 1. Program models." in out
    assert "Not started yet: 2. Partners, 3. Launch." in out
    assert "Next: Section 2 of 3 - question 1 of 3: Who are your partners?" in out
    assert not ESCAPE.search(out)


def test_edit_with_no_editor_set_says_so_and_keeps_the_answer(monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    ui = prompter("edit", "", "quit")
    assert ui.text("Notes?", multiline=True, default="Old notes") == "Old notes"
    assert "No text editor is set, so the answer was not changed" in output(ui)
    assert "export EDITOR=" in output(ui)
    ui = prompter(":edit", "quit")
    assert ui.text("Notes?", multiline=True) is QUIT


def test_edit_with_no_editor_through_a_pipe_keeps_the_answer(tmp_path, mini):
    plan = new_plan(tmp_path / "plan.yaml", mini)
    plan.set_answer("partners.notes", "Old notes")
    save_plan(plan)
    env = clean_env(TERM="dumb")
    env.pop("VISUAL", None)
    env.pop("EDITOR", None)
    done = subprocess.run([sys.executable, "-m", "deflect_cli", "edit", "partners.notes", "--plain", "--plan",
                           str(plan.path), "--content", MINI], input="edit\n\n", capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "No text editor is set" in done.stdout
    assert load_plan(plan.path).answers["partners"]["notes"] == "Old notes"


def test_the_readme_piping_example_answers_what_is_asked_and_ends_cleanly(tmp_path):
    """The README's `printf ... | deflect start --plain` line, run as written through a shell."""
    import pathlib

    readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text()
    line = next(x for x in readme.splitlines() if x.startswith("printf ") and "deflect start --plain" in x)
    bin_dir = pathlib.Path(sys.executable).parent
    env = clean_env(PATH=f"{bin_dir}:/usr/bin:/bin")
    done = subprocess.run(["sh", "-c", line], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    profile = load_plan(tmp_path / "deflection-plan.yaml").answers["profile"]
    assert profile == {"program_name": "Riverton Pathways to Recovery", "agency": "Riverton Police Department",
                       "agency_type": "municipal_police"}
    assert re.search(r"End of input: stopped at '[^']+' \(profile\.\w+\); continue with `deflect resume`\.",
                     done.stdout)
    assert "Traceback" not in done.stderr
