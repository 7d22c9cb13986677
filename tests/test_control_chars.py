"""Control characters in answers never reach a terminal raw (issue 15.5), and never enter an answer
from an answers file (issue 12.3).

An answer holding ESC ] 0 ; ... BEL retitled the terminal when `review` or `status` printed it; ESC c
cleared it. Text printed to a terminal now shows them as `\\x1b`.
"""

from __future__ import annotations

import io
import re
import subprocess

import pytest

from deflect_cli.content.model import load_content
from deflect_cli.controlchars import find_control, visible
from deflect_cli.plan.model import new_plan
from deflect_cli.plan.store import save_plan
from deflect_cli.session.plain import PlainPrompter

from conftest import FIXTURES, clean_env

MINI = str(FIXTURES / "mini")
HOSTILE = "Riverton\x1b]0;owned\x07 PD\x1bc\x00\r\x9b2J\u202eevil"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def test_find_control_names_the_first_control_character():
    assert find_control("plain text,\ttabs\nand lines") is None
    assert find_control("") is None
    assert find_control("ab\x1ac") == (2, "Ctrl-Z (\\x1a)")
    assert find_control("x\x1b[2J") == (1, "ESC (\\x1b)")
    assert find_control("\x9b") == (0, "\\x9b")
    assert find_control("a\x7f") == (1, "\\x7f")
    assert find_control("line\r\n") == (4, "Ctrl-M (\\x0d)")


def test_visible_shows_every_control_character_and_keeps_newlines_and_tabs():
    assert visible("a\tb\nc") == "a\tb\nc"
    assert visible(HOSTILE) == "Riverton\\x1b]0;owned\\x07 PD\\x1bc\\x00\\x0d\\x9b2J\\u202eevil"
    assert not RAW.search(visible("".join(chr(c) for c in range(0x2100)).replace("\n", "").replace("\t", "")))


def test_plain_mode_echo_shows_control_characters():
    ui = PlainPrompter(stdin=io.StringIO(""), stdout=io.StringIO())
    ui.saved("Weekly\x1b]0;x\x07")
    assert ui.stdout.getvalue() == "Saved: Weekly\\x1b]0;x\\x07\n"


@pytest.fixture
def hostile_plan(tmp_path):
    plan = new_plan(tmp_path / "deflection-plan.yaml", load_content(MINI))
    plan.set_answer("profile.agency", HOSTILE)
    plan.set_answer("models.chosen", ["qrt", "Other\x1b[31m"])
    plan.set_answer("partners.notes", "first\x07 line\nsecond\x1b[2J line")
    plan.set_answer("partners.roster", [{"name": "Clinic\x1b]2;t\x07", "kind": "treatment"}])
    plan.set_answer("launch.owner", HOSTILE)
    save_plan(plan)
    return plan


def _run(deflect_bin, plan, *args, input=""):
    result = subprocess.run([deflect_bin, *args, "--content", MINI], cwd=plan.path.parent, input=input,
                            capture_output=True, text=True, timeout=60, env=clean_env())
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("args", [("review",), ("review", "1", "--plain"), ("status",)],
                         ids=["review piped", "review plain", "status"])
def test_answers_reach_the_terminal_with_control_characters_shown(deflect_bin, hostile_plan, args):
    code, out, err = _run(deflect_bin, hostile_plan, *args, input="\n" if "--plain" in args else "")
    assert not RAW.search(out.replace("\n", "").replace("\t", "")), repr(out)
    assert "Riverton\\x1b]0;owned\\x07 PD" in out or "\\x1b[31m" in out, out
    assert not RAW.search(err.replace("\n", ""))


def test_status_header_names_the_plan_visibly(deflect_bin, hostile_plan):
    code, out, _ = _run(deflect_bin, hostile_plan, "status")
    assert code == 0
    assert out.splitlines()[0] == ("Plan: deflection-plan.yaml (Riverton\\x1b]0;owned\\x07 "
                                   "PD\\x1bc\\x00\\x0d\\x9b2J\\u202eevil)")


def test_control_characters_in_an_answers_file_are_listed_with_the_other_problems(cli, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_bytes(
        b"profile:\r\n"
        b"  agency: \"Riverton\\e]0;owned\\a PD\"\r\n"          # YAML escapes for ESC and BEL
        b"models:\r\n"
        b"  chosen: [qrt, \"self\\x1a_referral\"]\r\n"          # Ctrl-Z inside a list
        b"  lead: helicopter\r\n"                               # an ordinary invalid answer
        b"partners:\r\n"
        b"  roster:\r\n"
        b"    - {name: \"Clinic\\x9b2J\", kind: treatment}\r\n"  # C1 CSI in a table cell
        b"  notes: \"two lines\\r\\nwith a\\ttab\"\r\n"       # newline, CRLF and tab are fine
        b"  has_mou: \"no\\rYES\"\r\n"                           # a lone CR rewrites the line: refused
        b"launch:\r\n"
        b"  start_date: 2027-03-01\r\n"
        b"  owner: |\r\n"
        b"    Ana\r\n"                                          # CRLF block text: normalized, fine
        b"    Ruiz\r\n"
    )
    code, out, err = cli("start", "--content", MINI, "--answers", str(answers), "--no-input")
    assert code == 1 and "Traceback" not in err
    lines = err.splitlines()
    assert f"invalid: {answers}:2: profile.agency: the answer contains a control character, ESC (\\x1b); " \
           "only text, new lines and tabs can be in an answer" in lines
    assert f"invalid: {answers}:4: models.chosen: the answer contains a control character, Ctrl-Z (\\x1a); " \
           "only text, new lines and tabs can be in an answer" in lines
    assert any(line.startswith(f"invalid: {answers}:7: partners.roster: the answer contains a control character, \\x9b")
               for line in lines)
    assert f"invalid: {answers}:10: partners.has_mou: the answer contains a control character, Ctrl-M (\\x0d); " \
           "only text, new lines and tabs can be in an answer" in lines
    assert any(line.startswith(f"invalid: {answers}:5: models.lead: 'helicopter' is not one of") for line in lines)
    from deflect_cli.plan.store import load_plan

    saved = load_plan(tmp_path / "deflection-plan.yaml")
    assert "profile" not in saved.answers and "models" not in saved.answers
    assert saved.answers["partners"] == {"notes": "two lines\nwith a\ttab"}
    assert saved.answers["launch"]["owner"] == "Ana\nRuiz\n"
    assert "Saved 3 answers" in out


def test_the_rich_prompter_shows_control_characters():
    """rich strips BEL and CR but passes ESC through, and the wizard prints answers in notes,
    warnings and table rows."""
    from rich.console import Console

    from deflect_cli.session.prompter import RichPrompter

    screen = io.StringIO()
    ui = RichPrompter(console=Console(file=screen, width=200, force_terminal=False))
    ui.say(HOSTILE)
    ui.note(HOSTILE)
    ui.warn(HOSTILE)
    ui.table(["#", "Name"], [("1", HOSTILE)])
    text = screen.getvalue()
    assert not RAW.search(text.replace("\n", "")), repr(text)
    assert text.count("Riverton\\x1b]0;owned\\x07 PD") == 4
