"""Keys a terminal user expects, in a real pseudo-terminal: Ctrl-Z stops deflect like any terminal
program and `fg` brings it back to the same prompt, with nothing stray in the answer."""

from __future__ import annotations

import os
import shlex
import sys
import time

import pytest

from deflect_cli.plan import load_plan

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
