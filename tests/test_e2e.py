"""The real `deflect` in a pseudo-terminal, typed into like a person: answer, go back, Ctrl-C,
resume, finish, export, and read the Markdown plan."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, answer_mini_models, spawn

pexpect = pytest.importorskip("pexpect")

DOWN, ENTER, SPACE = "\x1b[B", "\r", " "


def test_a_person_starts_stops_resumes_and_exports(deflect_bin, tmp_path):
    mini = str(FIXTURES / "mini")
    child = spawn(deflect_bin, ["start", "--content", mini], tmp_path)
    child.expect("A small workbook used by the tests")
    answer_mini_models(child)
    child.sendcontrol("b")                       # go back
    child.expect("How many hours after an overdose")
    child.send("\x7f\x7f" + "24" + ENTER)
    child.expect("Which one leads")
    child.sendcontrol("c")                       # interrupted mid-way
    child.expect(r"Saved \d+ answers? in ")
    child.expect("deflect resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130

    child = spawn(deflect_bin, ["resume", "--content", mini], tmp_path)
    child.expect("Which one leads")             # lands on the first open question
    child.send(DOWN + ENTER)                    # Self-referral
    child.expect("How would you like to begin this section")
    child.send(ENTER)
    child.expect("Who are your partners")
    child.send(ENTER)                           # Add a row
    child.expect("Organization")
    child.send("Clinic | East" + ENTER)
    child.expect("Kind")
    child.send(ENTER)
    child.expect("MOU signed")
    child.send(ENTER)
    child.expect("Done with this table")
    child.send(DOWN * 3 + ENTER)                # Done
    child.expect("Is an MOU signed")
    child.send(ENTER)
    child.expect("Anything else about partners")
    child.send("Line one" + ENTER + "# not a heading")
    child.send("\x1b" + ENTER)                   # Esc then Enter finishes long text
    child.expect("How would you like to begin this section")
    child.send(ENTER)
    child.expect("When do you start")
    child.send("2027-03-01" + ENTER)
    child.expect("Who owns the launch")
    child.sendcontrol("n")                      # skip for now
    child.expect("end of the workbook")
    child.expect("What would you like to do")
    child.send(ENTER)                           # Finish for now
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    child = spawn(deflect_bin, ["export", "--format", "md", "--content", mini], tmp_path)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    md = (tmp_path / "deflection-plan.md").read_text()
    assert "| Lead agency? | Riverton PD |" in md or "Riverton PD" in md.split("## Contents")[0]
    assert "### QRT follow-up window\n\n24 hours" in md
    assert "### Lead model\n\nSelf-referral" in md
    assert "| Clinic \\| East | Treatment | Yes |" in md
    assert "Line one\\\n\\# not a heading" in md
    assert "- Who owns the launch? (skipped for now)" in md
