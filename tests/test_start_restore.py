"""`start --force` and `restore` through the real command: nothing a person had is ever lost.

`start --force` asks first (in a terminal) or needs `--yes` (without one), and pins the plan it
replaces as a snapshot; `restore` lists every snapshot and pins the plan it replaces, so two in a
row keep every version. A read-only plan is never replaced.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from deflect_cli.plan import store

from conftest import FIXTURES, clean_env

MINI = str(FIXTURES / "mini")
NAME = "deflection-plan.yaml"
FOLDER = f".{NAME}.snapshots"


def _kept(tmp_path) -> list:
    folder = tmp_path / FOLDER
    return [p.read_bytes() for p in folder.iterdir()] if folder.exists() else []


def _files(folder) -> dict:
    return {p.name: (p.read_bytes() if p.is_file() else sorted(q.name for q in p.iterdir()))
            for p in folder.iterdir() if not p.name.endswith((".lock", ".parsed"))}


def _plan_with(cli, tmp_path, agency: str, *, start: bool = False) -> bytes:
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"profile:\n  agency: {agency}\n")
    command = ("start", "--force", "--yes") if start else ("resume",)
    code, _, err = cli(*command, "--no-input", "--content", MINI, "--answers", str(answers))
    assert "Traceback" not in err
    return (tmp_path / NAME).read_bytes()


def _run(deflect_bin, tmp_path, *args):
    result = subprocess.run([deflect_bin, *args], cwd=tmp_path, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, env=clean_env())
    return result.returncode, result.stdout, result.stderr


# ---------------------------------------------------------------- start --force


def test_start_force_through_a_pipe_needs_yes_and_changes_nothing(deflect_bin, tmp_path):
    _run(deflect_bin, tmp_path, "start", "--no-input", "--content", MINI)
    (tmp_path / "a.yaml").write_text("profile:\n  agency: Riverton PD\n")
    _run(deflect_bin, tmp_path, "resume", "--no-input", "--content", MINI, "--answers", "a.yaml")
    before = _files(tmp_path)
    for extra in ((), ("--no-input",), ("--plain",)):
        code, out, err = _run(deflect_bin, tmp_path, "start", "--force", *extra, "--content", MINI)
        assert code == 1 and "Traceback" not in err
        line, = err.strip().splitlines()
        assert f"{NAME} holds a plan (1 answer); to replace it without a terminal add --yes" in line
        assert _files(tmp_path) == before


def test_start_force_yes_without_an_answers_file_lists_nothing_missing(deflect_bin, tmp_path):
    _run(deflect_bin, tmp_path, "start", "--no-input", "--content", MINI)
    code, out, err = _run(deflect_bin, tmp_path, "start", "--force", "--yes", "--content", MINI)
    assert code == 0, err
    assert "missing" not in out + err
    assert "(0 answers) is kept as a snapshot" in out
    assert f"Started a new plan in {NAME}" in out and "deflect resume" in out


def test_two_start_force_in_a_row_never_lose_the_first_plan(cli, tmp_path):
    first = _plan_with(cli, tmp_path, "First PD", start=True)
    second = _plan_with(cli, tmp_path, "Second PD", start=True)
    _plan_with(cli, tmp_path, "Third PD", start=True)
    assert first in _kept(tmp_path) and second in _kept(tmp_path)
    code, out, _ = cli("restore", "--list")
    assert code == 0 and out.count("before `deflect start`, pinned, 1 answer") == 2


def test_a_symlinked_snapshot_folder_is_refused_and_nothing_is_written_through_it(cli, tmp_path):
    original = _plan_with(cli, tmp_path, "Riverton PD", start=True)
    victim = tmp_path / "elsewhere"
    victim.mkdir()
    os.symlink(victim, tmp_path / FOLDER)
    answers = tmp_path / "more.yaml"
    answers.write_text("profile:\n  agency: Changed\n")
    for args in (("start", "--no-input", "--force", "--yes", "--content", MINI),
                 ("resume", "--no-input", "--content", MINI, "--answers", str(answers)),  # its first save
                 ("restore", "--list"), ("restore", "--yes")):
        code, _, err = cli(*args)
        assert code == 1 and "Traceback" not in err, args
        line, = err.strip().splitlines()
        assert FOLDER in line and "symbolic link" in line, args
        assert (tmp_path / NAME).read_bytes() == original and list(victim.iterdir()) == []


# ---------------------------------------------------------------- restore


def test_two_restores_in_a_row_keep_every_version(cli, tmp_path):
    versions = [_plan_with(cli, tmp_path, "One", start=True)]
    for agency in ("Two", "Three"):
        versions.append(_plan_with(cli, tmp_path, agency))
    for _ in range(2):
        code, out, err = cli("restore", "2", "--force")
        assert code == 0, err
        assert set(versions) <= set(_kept(tmp_path)) | {(tmp_path / NAME).read_bytes()}
        assert "kept as a pinned snapshot" in out
    assert len(set(_kept(tmp_path))) >= 3


def test_restore_lists_when_which_command_how_many_answers_and_pinned(cli, tmp_path):
    code, out, _ = cli("restore", "--list")
    assert code == 0 and "No snapshots" in out
    _plan_with(cli, tmp_path, "One", start=True)
    _plan_with(cli, tmp_path, "Two", start=True)
    _plan_with(cli, tmp_path, "Three")
    legacy = tmp_path / f"{NAME}.bak"
    legacy.write_bytes((tmp_path / NAME).read_bytes())
    os.utime(legacy, (0, 86400 * 365))  # kept by an older deflect long ago
    before = _files(tmp_path)
    code, out, err = cli("restore", "--list")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == f"Copies of {NAME} you can restore, newest first:"
    assert lines[1].startswith("   1  ") and lines[1].endswith(", before `deflect resume`, 1 answer")
    assert lines[2].startswith("   2  ") and lines[2].endswith(", before `deflect start`, pinned, 1 answer")
    assert lines[3].startswith("   3  1971-01-0") and lines[3].endswith(f"{NAME}.bak (kept by an older deflect), 1 "
                                                                        "answer")
    assert "deflect restore N" in lines[4] and len(lines) == 5
    assert _files(tmp_path) == before  # listing changes nothing


def test_restore_by_name_and_the_legacy_backup(cli, tmp_path):
    one = _plan_with(cli, tmp_path, "One", start=True)
    (tmp_path / f"{NAME}.bak").write_bytes(one)
    _plan_with(cli, tmp_path, "Two")
    code, out, err = cli("restore", "--snapshot", f"{NAME}.bak", "--yes")
    assert code == 0, err
    assert (tmp_path / NAME).read_bytes() == one
    code, _, err = cli("restore", "--snapshot", "nothing.yaml", "--yes")
    assert code == 1 and "no copy named 'nothing.yaml'" in err
    code, _, err = cli("restore", "99", "--yes")
    assert code == 1 and "there is no copy 99" in err


def test_restore_never_offers_a_damaged_snapshot(cli, tmp_path):
    (tmp_path / NAME).write_bytes(b"not: [a plan")
    code, out, err = cli("start", "--no-input", "--force", "--yes", "--content", MINI)
    assert code == 0, err
    code, _, err = cli("restore", "1", "--yes")
    assert code == 1 and "copy 1" in err and "cannot be restored" in err
    code, out, _ = cli("restore", "--list")
    assert "pinned, damaged: the plan file is damaged" in out


def test_restore_works_on_any_damaged_plan(cli, tmp_path):
    good = _plan_with(cli, tmp_path, "One", start=True)
    _plan_with(cli, tmp_path, "Two")
    hostile = (b"deflect_plan: 2\nanswers: " + b"[" * 500 + b"]" * 500 + b"\n",  # nested past the parser's depth
               b"deflect_plan: 2\ncreated: 2027-13-45\n",  # an impossible date
               b"deflect_plan: 2\nn: " + b"9" * 5000 + b"\n")  # more digits than Python converts
    for damaged in (b"", b"\x00\xff" * 10, good[:40], b"deflect_plan: 99\nend_of_plan: true\n") + hostile:
        (tmp_path / NAME).write_bytes(damaged)
        code, out, err = cli("restore")
        assert code == 0, err
        assert store.load_plan(tmp_path / NAME).answer_count() == 1
        assert damaged in _kept(tmp_path)


# ---------------------------------------------------------------- a read-only plan


def test_a_read_only_plan_is_never_replaced(cli, tmp_path):
    original = _plan_with(cli, tmp_path, "One", start=True)
    _plan_with(cli, tmp_path, "Two")
    os.chmod(tmp_path / NAME, 0o400)
    current = (tmp_path / NAME).read_bytes()
    answers = tmp_path / "answers.yaml"
    answers.write_text("profile:\n  agency: Three\n")
    for args in (("resume", "--no-input", "--content", MINI, "--answers", str(answers)),
                 ("start", "--no-input", "--force", "--yes", "--content", MINI),
                 ("restore", "--yes")):
        code, _, err = cli(*args)
        assert code == 1 and "Traceback" not in err, args
        line, = err.strip().splitlines()
        assert f"{NAME}: the plan is read-only (mode 0400)" in line and f"chmod u+w {NAME}" in line
        assert (tmp_path / NAME).read_bytes() == current and (tmp_path / NAME).stat().st_mode & 0o777 == 0o400
    assert original in _kept(tmp_path)


# ---------------------------------------------------------------- in a terminal

pexpect = pytest.importorskip("pexpect")


def _spawn(deflect_bin, args, cwd):
    child = pexpect.spawn(deflect_bin, args, cwd=str(cwd), dimensions=(40, 120), encoding="utf-8", timeout=20,
                          env=clean_env(TERM="xterm-256color", COLUMNS="120", LINES="40"))
    child.logfile_read = sys.stdout if "-s" in sys.argv else None
    return child


def test_start_force_in_a_terminal_asks_first(deflect_bin, tmp_path):
    (tmp_path / "a.yaml").write_text("profile:\n  agency: Riverton PD\n")
    _run(deflect_bin, tmp_path, "start", "--no-input", "--content", MINI, "--answers", "a.yaml")
    original = (tmp_path / NAME).read_bytes()

    child = _spawn(deflect_bin, ["start", "--force", "--content", MINI], tmp_path)
    child.expect_exact(f"Replace {NAME} (1 answer)? A snapshot is kept; `deflect restore` brings it back. [y/N]")
    child.sendline("")                       # the default is no
    child.expect("nothing was changed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and (tmp_path / NAME).read_bytes() == original and _kept(tmp_path) == []

    child = _spawn(deflect_bin, ["start", "--force", "--content", MINI], tmp_path)
    child.expect_exact("[y/N]")
    child.sendline("y")
    child.expect_exact("(1 answer) is kept as a snapshot")
    child.expect("Lead agency")              # the wizard starts on the new plan
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert _kept(tmp_path) == [original]


def test_restore_in_a_terminal_lists_asks_which_and_confirms(deflect_bin, tmp_path):
    (tmp_path / "a.yaml").write_text("profile:\n  agency: Riverton PD\n")
    _run(deflect_bin, tmp_path, "start", "--no-input", "--content", MINI)
    empty = (tmp_path / NAME).read_bytes()
    _run(deflect_bin, tmp_path, "resume", "--no-input", "--content", MINI, "--answers", "a.yaml")
    current = (tmp_path / NAME).read_bytes()

    child = _spawn(deflect_bin, ["restore"], tmp_path)
    child.expect_exact(f"Copies of {NAME} you can restore, newest first:")
    child.expect_exact(", before `deflect resume`, 0 answers")
    child.expect_exact("Restore which copy [1]:")
    child.sendline("")
    child.expect_exact(f"Replace {NAME} (1 answer) with copy 1")
    child.expect_exact("The current plan is kept as a snapshot. [y/N]")
    child.sendline("y")
    child.expect_exact(f"Restored {NAME} from copy 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (tmp_path / NAME).read_bytes() == empty and current in _kept(tmp_path)
