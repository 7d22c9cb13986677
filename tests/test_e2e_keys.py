"""Keys a terminal user expects, in a real pseudo-terminal: Ctrl-Z stops deflect like any terminal
program and `fg` brings it back to the same prompt, with nothing stray in the answer."""

from __future__ import annotations

import os
import shlex
import sys
import time

import pytest

from deflect_cli.plan.store import load_plan

from conftest import FIXTURES, clean_env

pexpect = pytest.importorskip("pexpect")

MINI = str(FIXTURES / "mini")
ENTER = "\r"


def _state(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().rsplit(")", 1)[1].split()[0]


def _deflect_pid(shell_pid: int) -> int:
    """The deflect process the shell started (a job of its own, so it can be stopped)."""
    for _ in range(100):
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    with open(f"/proc/{name}/stat") as handle:
                        fields = handle.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == shell_pid:
                    return int(name)
        time.sleep(0.1)
    raise AssertionError("deflect did not start")


@pytest.mark.skipif(not os.path.isdir("/proc") or sys.platform == "win32", reason="needs /proc and job control")
def test_ctrl_z_suspends_and_fg_resumes_at_the_same_prompt(deflect_bin, tmp_path):
    # An interactive shell gives deflect a process group of its own, as in a real terminal: a
    # program started straight under a pseudo-terminal would be an orphaned group, which the
    # kernel never stops.
    shell = pexpect.spawn("bash", ["--norc", "--noprofile", "-i"], cwd=str(tmp_path), dimensions=(40, 120),
                          encoding="utf-8", timeout=20, env=clean_env(TERM="xterm-256color", PS1="$ "))
    shell.logfile_read = sys.stdout if "-s" in sys.argv else None
    shell.sendline(f"{shlex.quote(deflect_bin)} start --content {shlex.quote(MINI)}")
    shell.expect("Lead agency")
    deflect = _deflect_pid(shell.pid)
    shell.send("River")
    shell.sendcontrol("z")
    shell.expect("Stopped")
    assert _state(deflect) == "T"
    shell.sendline("fg")
    shell.expect("Lead agency")                          # the same prompt, drawn again
    shell.send("ton PD" + ENTER)
    shell.expect("How would you like to begin this section")
    shell.sendcontrol("q")
    shell.expect(r"Saved \d+ answers? in ")
    shell.sendline("exit")
    shell.expect(pexpect.EOF)
    plan = load_plan(tmp_path / "deflection-plan.yaml")
    assert plan.answers["profile"]["agency"] == "Riverton PD"


def _spawn(deflect_bin, args, cwd, rows=40, cols=120):
    child = pexpect.spawn(deflect_bin, args, cwd=str(cwd), dimensions=(rows, cols), encoding="utf-8", timeout=20,
                          env=clean_env(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows), PAGER="less"))
    child.logfile_read = sys.stdout if "-s" in sys.argv else None
    return child


def test_the_pager_says_how_to_return_and_q_comes_back_to_the_questions(deflect_bin, tmp_path):
    child = _spawn(deflect_bin, ["start"], tmp_path, rows=24, cols=80)
    child.expect("Choose 1 or 2")                      # core path or full workbook, asked first
    child.send("2" + ENTER)
    if child.expect(["What is the program called", "Begin with the first question"]) == 1:
        child.send(ENTER)                              # the welcome waits on a small screen
        child.expect("What is the program called")
    child.sendcontrol("o")
    child.expect("Menu: what would you like to do")
    child.send("\x1b[B" + ENTER)                       # Jump to a section
    child.expect("Jump to which section")
    child.send("\x1b[B" + ENTER)                       # Section 1
    child.expect("How would you like to begin this section")
    child.send("\x1b[B" + ENTER)                       # Read the guide text first: longer than the screen
    child.expect("q to return to deflect")
    child.send("q")
    child.expect(r"\? ")                               # the section's first question
    child.sendcontrol("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_guide_that_fits_the_screen_is_shown_without_the_pager(deflect_bin, tmp_path):
    child = _spawn(deflect_bin, ["start", "--content", MINI], tmp_path)
    child.expect("Lead agency")
    child.send("PD" + ENTER)
    child.expect("How would you like to begin this section")
    child.send("\x1b[B" + ENTER)
    child.expect("Some guide text")
    child.expect("Which models")                       # straight on, no pager to leave
    assert "q to return" not in child.before
    child.sendcontrol("q")
    child.expect(pexpect.EOF)


def test_plain_mode_on_a_terminal_keeps_a_line_cut_short_by_ctrl_c(deflect_bin, tmp_path):
    child = _spawn(deflect_bin, ["start", "--plain", "--content", MINI], tmp_path)
    child.expect(r"Lead agency\? \(required\)")
    child.expect("> ")
    child.send("Riverton P")
    time.sleep(0.5)
    child.sendintr()                                   # Ctrl-C before Enter
    child.expect(pexpect.EOF)
    transcript = child.before
    child.close()
    assert child.exitstatus == 130
    assert "\x1b" not in transcript                   # line editing adds no escape sequence
    assert load_plan(tmp_path / "deflection-plan.yaml").answers == {"profile": {"agency": "Riverton P"}}


def test_a_closed_terminal_keeps_the_typed_answer_and_the_lock_goes(deflect_bin, tmp_path):
    """Closing the terminal window sends SIGHUP: Python's default ended deflect on the spot, losing
    what was typed and leaving the lock file behind. Now it is saved as Ctrl-C would save it."""
    child = _spawn(deflect_bin, ["start", "--content", MINI], tmp_path)
    child.expect("Lead agency")
    child.send("Riverton P")
    time.sleep(0.5)
    os.close(child.child_fd)  # the terminal goes: the kernel hangs up, and writing to it fails from now on
    for _ in range(200):  # at most 20 s, never a hang
        pid, status = os.waitpid(child.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.1)
    else:
        os.kill(child.pid, 9)
        raise AssertionError("deflect did not leave after its terminal closed")
    child.closed, child.terminated = True, True  # already reaped, so pexpect leaves it alone
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 129  # not a traceback on the dead terminal
    assert load_plan(tmp_path / "deflection-plan.yaml").answers == {"profile": {"agency": "Riverton P"}}
    assert sorted(p.name for p in tmp_path.iterdir() if "lock" in p.name) == []


@pytest.mark.parametrize("signal_name, code", [("SIGTERM", 143), ("SIGINT", 130)])
def test_kill_keeps_an_unfinished_answer_as_a_draft_and_says_so(deflect_bin, tmp_path, signal_name, code):
    """`kill` (SIGTERM), and `kill -INT`, which prompt_toolkit passes on as a key of its own that
    Ctrl-C's binding did not cover."""
    import signal
    import subprocess

    (tmp_path / "a.yaml").write_text("models:\n  chosen: [qrt]\n")
    subprocess.run([deflect_bin, "start", "--no-input", "--content", MINI, "--answers", "a.yaml"], cwd=tmp_path,
                   capture_output=True, env=clean_env())  # exit 1: other answers are still missing
    child = _spawn(deflect_bin, ["edit", "models.qrt_window", "--content", MINI], tmp_path)
    child.expect("How many hours after an overdose")
    child.send("14x")
    time.sleep(0.5)
    child.kill(getattr(signal, signal_name))
    child.expect("kept as a draft")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == code
    assert load_plan(tmp_path / "deflection-plan.yaml").drafts == {"models.qrt_window": "14x"}
