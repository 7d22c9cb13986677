"""The installed `deflect` in small pseudo-terminals (issue 12.15): at 60 columns list entries wrap
instead of being cut at the edge, at 80x24 the welcome stays on screen until the person goes on, and
a resize mid-answer redraws the prompt once."""

from __future__ import annotations

import re
import sys

import pytest

from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import save_plan

from conftest import clean_env

pexpect = pytest.importorskip("pexpect")

ENTER, SPACE, DOWN = "\r", " ", "\x1b[B"
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def spawn(deflect_bin, args, cwd, rows: int, columns: int):
    child = pexpect.spawn(
        deflect_bin, args, cwd=str(cwd), dimensions=(rows, columns), encoding="utf-8", timeout=20,
        env=clean_env(TERM="xterm-256color"),
    )
    child.logfile_read = sys.stdout if "-s" in sys.argv else None
    return child


def words(text: str) -> list:
    return ESCAPES.sub(" ", text).split()


def lines(text: str) -> list:
    return [line.rstrip() for line in ESCAPES.sub("", text).replace("\r", "").split("\n")]


@pytest.fixture
def plan_dir(tmp_path, content):
    save_plan(new_plan(tmp_path / "deflection-plan.yaml", content))
    return tmp_path


def _every_label_whole(content, screen: str) -> list:
    """The model choices whose words do not all appear, in order, on what was drawn."""
    seen = " ".join(words(screen))
    return [c.label for c in content.question("program_types.models").choices
            if " ".join(c.label.split()) not in seen]


def test_at_60_columns_long_choices_wrap_instead_of_being_cut(deflect_bin, plan_dir, content):
    child = spawn(deflect_bin, ["edit", "program_types.models"], plan_dir, 24, 60)
    child.expect("Space to")
    child.expect("Other \\(describe\\)")
    drawn = child.before
    assert _every_label_whole(content, drawn) == []
    # wrapped at a word, the rest under the entry's first letter
    assert "   ○ Officer intervention (charge held or citation with" in lines(drawn)
    assert "     assessment)" in lines(drawn)
    child.send(DOWN * 7 + SPACE + ENTER)   # tick the long one: the answer line shows it whole, wrapped at words
    child.expect("charges\\?")
    assert "[Officer intervention (charge held or citation with assessment)]" in " ".join(words(child.before))
    child.sendcontrol("c")
    child.expect(pexpect.EOF)


def test_a_resize_to_60_columns_rewraps_the_list(deflect_bin, plan_dir, content):
    child = spawn(deflect_bin, ["edit", "program_types.models"], plan_dir, 24, 100)
    child.expect("Other \\(describe\\)")
    assert "   ○ Officer intervention (charge held or citation with assessment)" in lines(child.before)
    child.setwinsize(24, 60)
    child.expect("Other \\(describe\\)")
    assert _every_label_whole(content, child.before) == []
    assert "     assessment)" in lines(child.before)
    child.sendcontrol("c")
    child.expect(pexpect.EOF)


def test_at_80_by_24_the_welcome_waits_for_enter(deflect_bin, tmp_path):
    child = spawn(deflect_bin, ["start"], tmp_path, 24, 80)
    child.expect("Choose 1 or 2")  # the core path or the full workbook, asked before the plan is made
    child.send("2" + ENTER)
    child.expect("Press Enter to begin")
    assert "Deflection Program Planning Questions" in child.before and "What is the program called" not in child.before
    child.send(ENTER)
    child.expect("What is the program called")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)


# --------------------------------------------------------------------------- the redraw arithmetic


class _Cell:
    def __init__(self, char):
        self.char = char


class _Screen:
    def __init__(self, lines):
        self.data_buffer = {y: {x: _Cell(ch) for x, ch in enumerate(line)} for y, line in enumerate(lines)}


class _Output:
    def __init__(self, columns):
        self.columns, self.written = columns, []

    def get_size(self):
        from prompt_toolkit.data_structures import Size

        return Size(rows=24, columns=self.columns)

    def write_raw(self, data):
        self.written.append(("raw", data))

    def cursor_up(self, amount):
        self.written.append(("up", amount))

    def erase_down(self):
        self.written.append(("erase_down",))

    def reset_attributes(self): ...
    def enable_autowrap(self): ...
    def flush(self): ...


def test_a_resize_erases_the_prompt_as_the_terminal_rewrapped_it():
    """At 80 columns the prompt drew an 80-wide row and the cursor on the row below; the terminal,
    narrowed to 60, re-wraps that row into two, so the prompt now starts two rows up, not one."""
    from types import SimpleNamespace

    from prompt_toolkit.data_structures import Point

    from deflect_cli.session.prompter import _redraw_after_resize

    calls = []
    renderer = SimpleNamespace(_last_screen=_Screen(["? Which agency is leading the plan? * " + "x" * 42, "y" * 10]),
                               _cursor_pos=Point(x=10, y=1), reset=lambda **_: calls.append("reset"),
                               erase=lambda **_: calls.append("erase"))
    output = _Output(60)
    app = SimpleNamespace(renderer=renderer, output=output, _request_absolute_cursor_position=lambda: None,
                          _redraw=lambda: calls.append("redraw"))
    _redraw_after_resize(app)
    assert output.written[:3] == [("raw", "\r"), ("up", 2), ("erase_down",)]
    assert calls == ["reset", "redraw"]


def test_check_your_answers_rows_fit_60_columns(content, tmp_path):
    """Each row of the review list (pointer, number, question, status, answer) fits the terminal, so
    prompt_toolkit never cuts it at the edge; long labels end in an ellipsis instead."""
    from deflect_cli.session.review import section_rows

    from conftest import screen_wizard

    wizard = screen_wizard(content, tmp_path, width=60)
    wizard.plan.set_answer("program_types.models", ["officer_intervention", "community_response"])
    section = content.section("program_types")
    options, header = wizard.review_edit._review_options(section_rows(content, wizard.plan, section))
    assert all(3 + len(o.label) <= 59 for o in options), [o.label for o in options if 3 + len(o.label) > 59]
    assert any(o.label.rstrip().endswith("...") for o in options)
    assert 3 + len(header) <= 59


@pytest.mark.parametrize("columns", [60, 80])
def test_status_in_a_terminal_fits_its_width(deflect_bin, plan_dir, content, columns):
    """`deflect status` at 60 and 80 columns: no line runs past the edge (where the terminal would
    cut a title or a word in two), and every word of every section title is still there whole."""
    child = spawn(deflect_bin, ["status"], plan_dir, 60, columns)
    child.expect(pexpect.EOF)
    drawn = lines(child.before)
    assert [line for line in drawn if len(line) >= columns] == []
    seen = set(words(child.before))
    assert [w for s in content.sections for w in s.title.split() if w not in seen] == []  # none cut
    assert "Next: `deflect resume` continues at" in "\n".join(drawn)


def test_status_through_a_pipe_keeps_one_line_per_section(content, tmp_path):
    """Through a pipe (columns unknown) the table stays one line per section, as scripts read it."""
    from deflect_cli.session.report import status_text

    plan = new_plan(tmp_path / "deflection-plan.yaml", content)
    text = status_text(content, plan)
    for section in content.sections:
        assert any(section.title in line and line.endswith("0%") for line in text.splitlines())


@pytest.mark.parametrize("columns", [60, 80])
def test_the_question_its_hint_and_the_answer_wrap_at_words(deflect_bin, plan_dir, columns):
    """prompt_toolkit cut the prompt line at the terminal's edge: "(Y" / "YYY-MM-DD", "Deflectio" / "n"."""
    child = spawn(deflect_bin, ["edit", "launch.start_date"], plan_dir, 24, columns)
    child.expect("works too\\)")
    assert "(YYYY-MM-DD," in words(child.before)
    assert all(len(line) <= columns for line in lines(child.before))
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child = spawn(deflect_bin, ["edit", "program_types.models"], plan_dir, 24, columns)
    child.expect("Other \\(describe\\)")
    assert " ".join(words(child.before)).count("(Space to tick, Enter when done)") == 1
    child.sendcontrol("c")
    child.expect(pexpect.EOF)


def test_the_answer_on_the_prompt_line_wraps_at_words_too():
    from deflect_cli.session.prompter import _wrap_fragments

    fragments = [("class:qmark", "?"), ("class:question", " What is the program called? "),
                 ("class:answer", "Riverton Deflection and Community Program")]
    wrapped = _wrap_fragments(fragments, 40)
    text = "".join(text for _style, text in wrapped)
    assert text == "? What is the program called? Riverton\nDeflection and Community Program"
    assert ("class:answer", "Deflection") in wrapped   # each part keeps its own style
    assert all(len(line) <= 40 for line in text.split("\n"))
    # a typed answer whose first word does not fit after the question starts on the next line
    question = [("class:question", "? What is the program called (a working name is fine)? ")]
    assert _wrap_fragments(question, 59, then="Riverton Deflection")[-1] == ("", "\n")
    assert _wrap_fragments(question, 79, then="Riverton Deflection")[-1] != ("", "\n")
    # so does one that would be cut mid-word at the edge but fits on a line of its own ("Lane County
    # Health Dep" / "artment" at 60 columns); one longer than a line stays after the question
    agency = [("class:question", "? Which agency is leading the plan? * ")]
    assert _wrap_fragments(agency, 59, then="Lane County Health Department")[-1] == ("", "\n")
    assert _wrap_fragments(agency, 79, then="Lane County Health Department")[-1] != ("", "\n")
    assert _wrap_fragments(agency, 59, then="Lane County " * 6)[-1] != ("", "\n")
    # and a chosen entry shown after the question ("* Add" / "a row" at 80 columns)
    table = [("class:prompt class:question", "? What will be done, for which objective, led by whom, from when to "
              "when? * "), ("class:prompt class:answer", "Add a row")]  # styles as PromptSession hands them over
    assert "".join(t for _s, t in _wrap_fragments(table, 79)).endswith("when? *\nAdd a row")
    assert "".join(t for _s, t in _wrap_fragments(table, 99)).endswith("when? * Add a row")


def test_ctrl_o_in_edit_opens_the_menu_and_keeps_the_ticks(deflect_bin, plan_dir, content):
    """12.13: Ctrl-O ended the edit with "Not changed." and dropped the ticks made before it."""
    from deflect_cli.plan.store import load_plan

    child = spawn(deflect_bin, ["edit", "program_types.models"], plan_dir, 40, 120)
    child.expect("Other \\(describe\\)")
    child.send(SPACE)
    child.sendcontrol("o")
    child.expect("Menu: what would you like to do\\?")
    child.send(ENTER)                      # Back to the question
    child.expect("Other \\(describe\\)")
    child.send(ENTER)                      # the tick made before Ctrl-O is still there
    if child.expect(["Saved", "Add a row"]) == 1:   # a follow-up the change brings up
        child.sendcontrol("q")
    child.expect(pexpect.EOF)
    first = content.question("program_types.models").choices[0].value
    assert load_plan(plan_dir / "deflection-plan.yaml").answer("program_types", "models") == [first]


def test_nothing_ticked_reads_none_of_these(deflect_bin, plan_dir):
    child = spawn(deflect_bin, ["edit", "treatment.harm_reduction"], plan_dir, 40, 120)
    child.expect("Space to tick")
    child.send(ENTER)
    child.expect("Saved")
    drawn = " ".join(words(child.before))
    assert "None of these" in drawn and " done" not in drawn.split("Enter when done")[-1]
    child.expect(pexpect.EOF)


def test_the_command_lines_own_messages_wrap_at_words_in_a_terminal(deflect_bin, tmp_path):
    """Outside the wizard, messages went to the terminal whole and it cut them at its edge:
    "`deflect resume --ful" / "l`." at 60 columns on the question before a new plan."""
    child = spawn(deflect_bin, ["start"], tmp_path, 24, 60)
    child.expect("Choose 1 or 2")
    assert "--full`." in words(child.before) and "`deflect" in words(child.before)
    assert all(len(line) < 60 for line in lines(child.before))
    child.sendcontrol("c")
    child.expect(pexpect.EOF)


def test_a_confirmation_wraps_at_words_in_a_terminal(deflect_bin, plan_dir):
    """typer's y/N question went out whole: "A snapshot is kept" / "; `deflect restore` brings it back"."""
    child = spawn(deflect_bin, ["start", "--force"], plan_dir, 24, 60)
    child.expect_exact("[y/N]")
    assert "kept;" in words(child.before)
    assert all(len(line) < 60 for line in lines(child.before))
    child.sendline("")
    child.expect(pexpect.EOF)


def test_wrap_breaks_at_spaces_keeps_long_words_whole_and_lines_up_list_items():
    from deflect_cli.session.console import wrap

    assert wrap("A core plan can be deepened later with `deflect resume --full`.", 30) == [
        "A core plan can be deepened", "later with `deflect resume", "--full`."]
    assert wrap("  1. A first plan in about 45 minutes (core questions)", 30) == [
        "  1. A first plan in about 45", "     minutes (core questions)"]
    assert wrap("- see /a/very/long/path/to/a/plan/deflection-plan.yaml now", 20) == [
        "- see", "  /a/very/long/path/to/a/plan/deflection-plan.yaml", "  now"]
    assert wrap("", 20) == [""]
