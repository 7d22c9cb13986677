"""Hostile paths beside a plan (issue 15.3, 15.4): a symlink planted where deflect keeps a side file is
refused in one line and the file it points to is never touched; every file deflect reads is checked
for type and size before anything is read, so a FIFO, a device or a huge file never hangs it or
fills memory. CLI runs go through a subprocess with a timeout and a memory limit."""

from __future__ import annotations

import os
import resource
import subprocess

import pytest

from deflect_cli.content import cache
from deflect_cli.plan import files, store
from deflect_cli.plan.lock import lock_paths

from conftest import FIXTURES, clean_env

MINI = str(FIXTURES / "mini")
NAME = "deflection-plan.yaml"
VICTIM_TEXT = b"precious: do not touch\n"


@pytest.fixture(autouse=True)
def _no_content_cache(monkeypatch):
    monkeypatch.setenv("DEFLECT_NO_CACHE", "1")


@pytest.fixture
def victim(tmp_path):
    """A file elsewhere that the person running deflect can write, and someone wants overwritten."""
    target = tmp_path / "elsewhere" / "victim.txt"
    target.parent.mkdir()
    target.write_bytes(VICTIM_TEXT)
    return target


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GB: a whole-file read of 2 GB fails


def run(deflect_bin, folder, *args, stdin=subprocess.DEVNULL):
    """The real `deflect` in a subprocess, with a timeout on the subprocess and a memory limit."""
    proc = subprocess.run([deflect_bin, *args], cwd=folder, capture_output=True, text=True, timeout=60,
                          stdin=stdin, env=clean_env(DEFLECT_NO_CACHE="1"), preexec_fn=_limit_memory)
    return proc.returncode, proc.stdout, proc.stderr


def one_line(code, err, *expect):
    assert code != 0 and "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for text in expect:
        assert text in lines[0], lines[0]


def make_plan(deflect_bin, folder) -> bytes:
    answers = folder / "answers.yaml"
    answers.write_text("profile:\n  agency: PD\nmodels:\n  chosen: [qrt]\nlaunch:\n  start_date: '2027-03-01'\n")
    code, _, err = run(deflect_bin, folder, "start", "--no-input", "--content", MINI, "--answers", str(answers))
    assert code == 0, err
    return (folder / NAME).read_bytes()


# --------------------------------------------------------------------------- symlinks beside the plan


@pytest.mark.parametrize("which", ["lock", "lock-info"])
def test_a_symlink_in_place_of_a_lock_file_is_refused(deflect_bin, tmp_path, victim, which):
    plan = make_plan(deflect_bin, tmp_path)
    side = lock_paths(tmp_path / NAME)[0 if which == "lock" else 1]
    side.unlink(missing_ok=True)  # whatever was there, a link now takes its place
    os.symlink(victim, side)
    for args in (("resume", "--no-input", "--content", MINI), ("restore", "--force")):
        code, _, err = run(deflect_bin, tmp_path, *args)
        one_line(code, err, side.name, "symbolic link")
    assert victim.read_bytes() == VICTIM_TEXT
    assert (tmp_path / NAME).read_bytes() == plan
    assert side.is_symlink()


def test_a_symlink_in_place_of_the_old_backup_is_never_written_through(deflect_bin, tmp_path, victim):
    """`.bak` is no longer written (snapshots are kept in a folder, whose own symlink checks are
    tested with the snapshot store); a planted `.bak` link must still never be followed."""
    make_plan(deflect_bin, tmp_path)
    os.symlink(victim, tmp_path / f"{NAME}.bak")
    more = tmp_path / "more.yaml"
    more.write_text("profile:\n  agency: Changed\n")
    code, _, err = run(deflect_bin, tmp_path, "resume", "--no-input", "--content", MINI, "--answers", str(more))
    assert code == 0, err
    assert victim.read_bytes() == VICTIM_TEXT
    assert (tmp_path / f"{NAME}.bak").is_symlink()
    assert store.load_plan(tmp_path / NAME).answer("profile", "agency") == "Changed"


@pytest.mark.parametrize("fmt", ["md", "json", "docx"])
def test_a_symlink_as_export_target_is_refused(deflect_bin, tmp_path, victim, fmt):
    make_plan(deflect_bin, tmp_path)
    os.symlink(victim, tmp_path / f"deflection-plan.{fmt}")
    code, _, err = run(deflect_bin, tmp_path, "export", "--format", fmt, "--content", MINI)
    one_line(code, err, f"deflection-plan.{fmt}", "symbolic link")
    assert victim.read_bytes() == VICTIM_TEXT


def test_the_plan_itself_may_be_a_symlink_the_user_made(deflect_bin, tmp_path):
    real = tmp_path / "synced" / "plan.yaml"
    real.parent.mkdir()
    make_plan(deflect_bin, tmp_path)
    os.replace(tmp_path / NAME, real)
    os.symlink(real, tmp_path / NAME)
    more = tmp_path / "more.yaml"
    more.write_text("profile:\n  agency: Through the link\n")
    code, _, err = run(deflect_bin, tmp_path, "resume", "--no-input", "--content", MINI, "--answers", str(more))
    assert code == 0, err
    assert (tmp_path / NAME).is_symlink()
    assert store.load_plan(real).answer("profile", "agency") == "Through the link"


def test_temp_files_are_never_opened_through_a_planted_link(tmp_path, victim, monkeypatch):
    """Even a guessed temp name (here: made guessable on purpose) is created, never opened."""
    monkeypatch.setattr(os, "urandom", lambda n: b"\x01" * n)
    target = tmp_path / NAME
    os.symlink(victim, tmp_path / f".{NAME}.{'01' * 4}.tmp")
    with pytest.raises(store.PlanError, match="cannot write here"):
        files.atomic_write(target, "answers")
    assert victim.read_bytes() == VICTIM_TEXT and not target.exists()


def test_cache_temp_files_are_never_opened_through_a_planted_link(tmp_path, victim, monkeypatch):
    monkeypatch.setattr(os, "urandom", lambda n: b"\x01" * n)
    folder = tmp_path / "cache"
    folder.mkdir()
    for guess in (f".slot.{os.getpid()}.tmp", f".slot.{'01' * 4}.tmp"):
        os.symlink(victim, folder / guess)
    assert cache._write(folder, "slot", b"header", {"a": 1}) is False
    assert victim.read_bytes() == VICTIM_TEXT and not (folder / "slot").exists()


def test_a_killed_sessions_answer_holding_temp_files_are_cleaned_under_the_lock(deflect_bin, tmp_path):
    make_plan(deflect_bin, tmp_path)
    left = [f"..{NAME}.lock-info.0123abcd.tmp", f"..{NAME}.parsed.4242.tmp", f"..{NAME}.bak.parsed.4242.tmp",
            f".{NAME}.0123abcd.tmp"]
    kept = ["..other.yaml.lock-info.0123abcd.tmp", f"..{NAME}.lock-info.tmp", "notes.tmp"]
    for name in left + kept:
        (tmp_path / name).write_text("answers")
    code, _, err = run(deflect_bin, tmp_path, "status", "--content", MINI)
    assert code == 0 and all((tmp_path / name).exists() for name in left)  # reading takes no lock
    code, _, err = run(deflect_bin, tmp_path, "resume", "--no-input", "--content", MINI)
    assert code == 0, err
    assert not any((tmp_path / name).exists() for name in left)
    assert all((tmp_path / name).exists() for name in kept)


# --------------------------------------------------------------------------- files that are not files


def _special(tmp_path, what: str) -> str:
    """A path that is not a plain small file: /dev/zero, a FIFO nobody writes to, or a 2 GB file."""
    if what == "zero":
        return "/dev/zero"
    target = tmp_path / f"special-{what}.yaml"
    if what == "fifo":
        os.mkfifo(target)
    else:
        with open(target, "wb") as handle:  # sparse: 2 GB long, no disk used
            handle.truncate(2 * 1024 ** 3)
    return str(target)


EXPECT = {"zero": "is a device, not a regular file", "fifo": "is a named pipe (FIFO), not a regular file",
          "huge": "is larger than"}
PLAN_COMMANDS = [("status",), ("export", "--format", "md", "-o", "out.md"), ("resume", "--no-input"),
                 ("review",), ("edit", "profile.agency"), ("start", "--no-input", "--force"), ("restore",),
                 ("restore", "--force")]


@pytest.mark.parametrize("what", ["zero", "fifo", "huge"])
def test_a_plan_that_is_not_a_file_is_refused_by_every_command(deflect_bin, tmp_path, what):
    plan = _special(tmp_path, what)
    before = sorted(p.name for p in tmp_path.iterdir())
    for command in PLAN_COMMANDS:
        args = [*command, "--plan", plan] + ([] if command[0] == "restore" else ["--content", MINI])
        code, _, err = run(deflect_bin, tmp_path, *args)
        if what == "huge" and command[0] in ("start", "restore"):
            # start --force sets the big file aside as not a plan; restore finds no backup: one line each
            assert code != 0 and "Traceback" not in err and len(err.strip().splitlines()) == 1, (command, err)
            continue
        one_line(code, err, plan, EXPECT[what])
    if what == "huge":
        assert os.path.getsize(plan) == 2 * 1024 ** 3
    else:
        assert sorted(p.name for p in tmp_path.iterdir()) == before  # no lock file, nothing written


@pytest.mark.parametrize("what", ["zero", "fifo", "huge"])
def test_an_answers_file_that_is_not_a_file_is_refused(deflect_bin, tmp_path, what):
    plan = make_plan(deflect_bin, tmp_path)
    answers = _special(tmp_path, what)
    for command in (("resume", "--no-input"), ("start", "--no-input", "--plan", "new.yaml")):
        code, _, err = run(deflect_bin, tmp_path, *command, "--content", MINI, "--answers", answers)
        one_line(code, err, answers, "answers file", EXPECT[what])
    assert (tmp_path / NAME).read_bytes() == plan
    assert not (tmp_path / "new.yaml").exists()


@pytest.mark.parametrize("what", ["fifo", "huge"])
def test_a_content_file_that_is_not_a_file_is_one_lint_line(deflect_bin, tmp_path, what):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    section = content / "sections" / "03-launch.yaml"
    section.unlink()
    os.replace(_special(tmp_path, what), section)
    for command in (("lint",), ("status",)):
        code, _, err = run(deflect_bin, tmp_path, *command, "--content", str(content))
        assert code != 0 and "Traceback" not in err, err
        assert f"03-launch.yaml:0: {EXPECT[what]}" in err


def test_export_to_a_fifo_nobody_reads_fails_instead_of_hanging(deflect_bin, tmp_path):
    make_plan(deflect_bin, tmp_path)
    os.mkfifo(tmp_path / "pipe.md")
    code, _, err = run(deflect_bin, tmp_path, "export", "--content", MINI, "-o", "pipe.md")
    one_line(code, err, "pipe.md", "nothing is reading from")
    code, _, err = run(deflect_bin, tmp_path, "export", "--content", MINI, "-o", "/dev/null")
    assert code == 0, err


def test_export_to_a_fifo_with_a_reader_writes_into_it(deflect_bin, tmp_path):
    make_plan(deflect_bin, tmp_path)
    os.mkfifo(tmp_path / "pipe.md")
    reader = subprocess.Popen(["cat", str(tmp_path / "pipe.md")], stdout=subprocess.PIPE)
    code, _, err = run(deflect_bin, tmp_path, "export", "--content", MINI, "-o", "pipe.md")
    out, _ = reader.communicate(timeout=30)
    assert code == 0, err
    assert b"# " in out and b"PD" in out


def test_resume_from_standard_input_says_what_it_is(deflect_bin, tmp_path):
    make_plan(deflect_bin, tmp_path)
    code, _, err = run(deflect_bin, tmp_path, "resume", "--plan", "/dev/stdin", "--content", MINI,
                       stdin=subprocess.PIPE)
    one_line(code, err, "/dev/stdin", "is a named pipe (FIFO), not a regular file")
    assert "another deflect session" not in err


def test_windows_line_ends_in_an_answers_file_read_as_before(cli, tmp_path):
    """Answers and content files are read with universal newlines, as Path.read_text did."""
    from deflect_cli.plan.intake import read_answers_file

    path = tmp_path / "answers.yaml"
    path.write_bytes(b"profile:\r\n  agency: 'Riverton\r\n\r\n  PD'\r\n  jurisdiction: City\r")
    assert read_answers_file(path) == {"profile": {"agency": "Riverton\nPD", "jurisdiction": "City"}}
