"""One writer per plan, across processes: a second writer is told who holds the plan and since when;
readers never wait; a lock left by a killed process never blocks the next run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from deflect_cli.errors import PlanError
from deflect_cli.plan import model, store
from deflect_cli.plan.lock import PlanLocked, holder, lock_paths, plan_lock

from conftest import FIXTURES, clean_env

MINI = str(FIXTURES / "mini")
NAME = "deflection-plan.yaml"

HOLDER = r"""
import sys
from deflect_cli.plan.lock import plan_lock
with plan_lock(sys.argv[1], sys.argv[2]):
    print("locked", flush=True)
    sys.stdin.read()          # hold until the test closes stdin (or kills us)
"""


@pytest.fixture(autouse=True)
def _no_content_cache(monkeypatch):
    monkeypatch.setenv("DEFLECT_NO_CACHE", "1")


@pytest.fixture
def hold(tmp_path):
    """Start a separate process that holds the plan's lock; yields the Popen."""
    started = []

    def start(path: Path, command: str = "resume") -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), command], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, env=clean_env())
        started.append(proc)
        assert proc.stdout.readline().strip() == "locked"
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def answers_file(tmp_path) -> str:
    path = tmp_path / "answers.yaml"
    path.write_text("profile:\n  agency: PD\nmodels:\n  chosen: [qrt]\nlaunch:\n  start_date: '2027-03-01'\n")
    return str(path)


def make_plan(cli, tmp_path) -> bytes:
    code, _, err = cli("start", "--no-input", "--content", MINI, "--answers", answers_file(tmp_path))
    assert code == 0, err
    return (tmp_path / NAME).read_bytes()


def test_a_second_writer_is_told_who_holds_the_plan(cli, tmp_path, hold):
    original = make_plan(cli, tmp_path)
    proc = hold(tmp_path / NAME, "resume")
    for args in (("resume", "--no-input"), ("start", "--no-input", "--force"), ("restore", "--force")):
        code, out, err = cli(*args, "--content", MINI) if args[0] != "restore" else cli(*args)
        assert code == 1 and "Traceback" not in err
        line, = err.strip().splitlines()
        assert f"{NAME} is open in another deflect session (`deflect resume`, process {proc.pid}, since " in line
        assert "Finish or quit that session first" in line
    assert (tmp_path / NAME).read_bytes() == original
    assert not (tmp_path / f"{NAME}.bak").exists()

    # Readers never wait for the writer.
    code, out, err = cli("status", "--content", MINI)
    assert code == 0 and "Plan:" in out, err
    code, out, err = cli("export", "--format", "json", "--content", MINI, "-o", "-")
    assert code == 0 and json.loads(out)["plan"]["path"] == NAME

    proc.stdin.close()
    assert proc.wait(timeout=10) == 0
    code, _, err = cli("resume", "--no-input", "--content", MINI)
    assert code == 0, err


def test_a_killed_holder_never_blocks_the_next_run(cli, tmp_path, hold):
    make_plan(cli, tmp_path)
    proc = hold(tmp_path / NAME, "edit")
    assert holder(tmp_path / NAME)["pid"] == proc.pid
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert lock_paths(tmp_path / NAME)[1].exists()  # its note is left behind, and harmless
    code, _, err = cli("resume", "--no-input", "--content", MINI)
    assert code == 0, err
    assert not lock_paths(tmp_path / NAME)[1].exists()  # the next holder's note replaced it, then went


def test_two_plans_in_one_folder_do_not_block_each_other(cli, tmp_path, hold):
    make_plan(cli, tmp_path)
    hold(tmp_path / NAME)
    code, _, err = cli("start", "--no-input", "--plan", "other.yaml", "--content", MINI,
                       "--answers", answers_file(tmp_path))
    assert code == 0, err


def test_a_symlinked_plan_shares_its_targets_lock(cli, tmp_path, hold):
    make_plan(cli, tmp_path)
    os.symlink(tmp_path / NAME, tmp_path / "link.yaml")
    hold(tmp_path / NAME)
    code, _, err = cli("resume", "--no-input", "--plan", "link.yaml", "--content", MINI)
    assert code == 1 and "open in another deflect session" in err


def test_the_lock_is_reentrant_within_one_process(tmp_path):
    path = tmp_path / NAME
    with plan_lock(path, "edit"):
        with plan_lock(path, "edit"):
            assert holder(path)["command"] == "edit"
        assert holder(path) is not None  # the inner block did not release it
    assert holder(path) is None


def test_another_process_cannot_take_a_held_lock(tmp_path):
    path = tmp_path / NAME
    probe = ("import sys\nfrom deflect_cli.plan.lock import plan_lock, PlanLocked\n"
             "try:\n    with plan_lock(sys.argv[1], 'x'): print('got it')\n"
             "except PlanLocked as exc: print('refused:', exc)\n")
    with plan_lock(path, "start"):
        out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True,
                             env=clean_env(), timeout=30).stdout
        assert out.startswith("refused:") and f"process {os.getpid()}" in out
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True,
                         env=clean_env(), timeout=30).stdout
    assert out.strip() == "got it"


def test_holder_details_degrade_gracefully(tmp_path, hold):
    path = tmp_path / NAME
    hold(path)
    info = lock_paths(path)[1]
    info.write_text(json.dumps({"command": "resume", "pid": 4242, "host": "planning-laptop",
                                "since": "2027-03-01T10:42:00+00:00"}))
    with pytest.raises(PlanLocked, match=r"process 4242 on planning-laptop, since 2027-03-01 \d\d:42"):
        with plan_lock(path, "edit"):
            pass
    info.write_text("not json {")
    with pytest.raises(PlanLocked, match=rf"^{path} is open in another deflect session\. Finish"):
        with plan_lock(path, "edit"):
            pass


def test_lock_files_are_private(cli, tmp_path):
    old = os.umask(0o022)
    try:
        with plan_lock(tmp_path / NAME, "start"):
            lock_file, info_file = lock_paths(tmp_path / NAME)
            assert lock_file.stat().st_mode & 0o777 == 0o600
            assert info_file.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


def test_a_folder_where_no_lock_can_be_made(cli, tmp_path, monkeypatch):
    make_plan(cli, tmp_path)
    real_open = os.open

    def no_lock_files(path, *args, **kwargs):
        if str(path).endswith(".lock"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_lock_files)
    code, _, err = cli("resume", "--no-input", "--content", MINI)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "cannot lock the plan for writing: permission denied" in err


def test_a_missing_plan_makes_no_lock_file(cli, tmp_path):
    code, _, err = cli("resume", "--content", MINI)
    assert code == 1 and "deflect start" in err
    assert list(tmp_path.iterdir()) == []


def test_concurrent_starts_leave_exactly_one_whole_plan(deflect_bin, tmp_path):
    """Eight `deflect start` at once on one plan, three times: one wins, the rest say why, never a mix."""
    answers = answers_file(tmp_path)
    for round_ in range(3):
        folder = tmp_path / f"round{round_}"
        folder.mkdir()
        procs = [subprocess.Popen([deflect_bin, "start", "--no-input", "--content", MINI, "--answers", answers],
                                  cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=clean_env(DEFLECT_NO_CACHE="1"))
                 for _ in range(8)]
        results = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        winners = [err for code, err in results if code == 0]
        assert len(winners) == 1, results
        for code, err in results:
            if code:
                assert "already exists" in err or "open in another deflect session" in err, err
                assert "Traceback" not in err and len(err.strip().splitlines()) == 1
        plan = store.load_plan(folder / NAME)
        assert plan.answers["profile"] == {"agency": "PD"}
        assert sorted(p.name for p in folder.iterdir()) == [NAME]  # the lock file went with the lock


def test_plan_locked_is_a_plan_error():
    assert issubclass(PlanLocked, PlanError)


# --------------------------------------------------------------------------- a lock that was taken away


def _editing(deflect_bin, folder):
    """`deflect edit profile.agency --plain` in a pseudo-terminal, waiting at the question (lock held)."""
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(deflect_bin, ["edit", "profile.agency", "--plain", "--content", MINI], cwd=str(folder),
                          encoding="utf-8", timeout=30, env=clean_env(DEFLECT_NO_CACHE="1", TERM="dumb"))
    child.expect("Lead agency")
    return child, pexpect


def _finish(child, pexpect, answer: str) -> str:
    child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    return child.before


def _conflict_files(folder) -> list:
    return sorted(folder.glob("deflection-plan.conflict-*.yaml"))


def test_a_deleted_lock_file_never_lets_a_second_writers_answers_be_wiped(cli, deflect_bin, tmp_path):
    make_plan(cli, tmp_path)
    child, pexpect = _editing(deflect_bin, tmp_path)
    lock_file, _ = lock_paths(tmp_path / NAME)
    lock_file.unlink()  # what a cleanup or sync tool does to hidden files
    second = tmp_path / "second.yaml"
    second.write_text("profile:\n  agency: Second session\n")
    code, _, err = cli("resume", "--no-input", "--content", MINI, "--answers", str(second))
    assert code == 0, err  # with its lock file gone, the second session gets in
    after_second = (tmp_path / NAME).read_bytes()

    screen = _finish(child, pexpect, "First session")
    assert child.exitstatus == 1
    assert "was not saved: its lock file" in screen and "Traceback" not in screen
    assert (tmp_path / NAME).read_bytes() == after_second  # the second session's answers survive
    [conflict] = _conflict_files(tmp_path)
    assert str(conflict.name) in screen
    kept = store.load_plan(conflict)  # a whole plan, that --plan can open
    assert kept.answer("profile", "agency") == "First session"
    assert kept.answer("models", "chosen") == ["qrt"]
    assert conflict.stat().st_mode & 0o777 == 0o600
    code, out, err = cli("status", "--plan", str(conflict), "--content", MINI)
    assert code == 0, err


def test_a_plan_changed_under_a_session_goes_to_a_conflict_file(cli, deflect_bin, tmp_path):
    """The lock is intact, but something else (an editor, a sync) rewrote the plan: not saved over."""
    make_plan(cli, tmp_path)
    child, pexpect = _editing(deflect_bin, tmp_path)
    path = tmp_path / NAME
    changed = path.read_bytes().replace(b"agency: PD", b"agency: Edited by hand")
    path.write_bytes(changed)
    screen = _finish(child, pexpect, "First session")
    assert child.exitstatus == 1 and "changed by another program or deflect session" in screen
    assert path.read_bytes() == changed
    [conflict] = _conflict_files(tmp_path)
    assert store.load_plan(conflict).answer("profile", "agency") == "First session"


def test_an_undisturbed_session_saves_normally(cli, deflect_bin, tmp_path):
    make_plan(cli, tmp_path)
    child, pexpect = _editing(deflect_bin, tmp_path)
    _finish(child, pexpect, "Renamed PD")
    assert child.exitstatus == 0
    assert store.load_plan(tmp_path / NAME).answer("profile", "agency") == "Renamed PD"
    assert _conflict_files(tmp_path) == []


def test_saves_check_the_lock_is_still_the_one_held(tmp_path):
    path = tmp_path / NAME
    with plan_lock(path, "edit"):
        plan = model.Plan(path=path)
        store.save_plan(plan)
        lock_file = lock_paths(path)[0]
        lock_file.unlink()
        lock_file.write_text("")  # a new file at the lock path: another process could lock it
        plan.set_answer("profile.agency", "mine")
        with pytest.raises(store.PlanConflict, match="lock file .* was replaced"):
            store.save_plan(plan)
        assert store.load_plan(path).answer("profile", "agency") is None


@pytest.mark.parametrize("which", [0, 1])
def test_export_refuses_the_lock_files(cli, tmp_path, which):
    make_plan(cli, tmp_path)
    with plan_lock(tmp_path / NAME, "edit"):
        target = lock_paths(tmp_path / NAME)[which]
        before = target.read_bytes()
        code, _, err = cli("export", "--content", MINI, "-o", target.name)
        assert code == 1 and "that is the plan's lock" in err and len(err.strip().splitlines()) == 1
        assert target.read_bytes() == before


def test_a_plan_with_two_hard_links_is_warned_about(cli, tmp_path):
    make_plan(cli, tmp_path)
    os.link(tmp_path / NAME, tmp_path / "other-name.yaml")
    code, _, err = cli("resume", "--no-input", "--content", MINI)
    assert code == 0
    assert f"note: {NAME} has 2 hard links" in err


# --------------------------------------------------------------------------- nothing left behind


def test_failing_writing_commands_leave_an_empty_folder_empty(cli, tmp_path):
    """Issue 12.17: a failed `resume` used to leave `.deflection-plan.yaml.lock` behind."""
    (tmp_path / "sub").mkdir()
    for args in (("resume",), ("resume", "--no-input", "--answers", "missing.yaml"), ("restore",),
                 ("restore", "--force"), ("edit", "profile.agency"), ("review",),
                 ("start", "--answers", "missing.yaml"), ("resume", "--plan", "sub/p.yaml"),
                 ("restore", "--plan", "sub/p.yaml")):
        code, _, err = cli(*args, *(() if args[0] == "restore" else ("--content", MINI)))
        assert code != 0 and "Traceback" not in err, (args, err)
        assert sorted(p.name for p in tmp_path.rglob("*")) == ["sub"], args


def test_a_session_leaves_no_lock_file_behind(cli, tmp_path):
    make_plan(cli, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yaml", NAME]
    bad = tmp_path / "bad.yaml"
    bad.write_text("nope: [\n")
    for args in (("resume", "--no-input"), ("resume", "--no-input", "--answers", str(bad)),
                 ("restore",)):
        cli(*args, *(() if args[0] == "restore" else ("--content", MINI)))
        assert not lock_paths(tmp_path / NAME)[0].exists(), args
        assert not lock_paths(tmp_path / NAME)[1].exists(), args


def test_a_lock_file_removed_on_release_while_another_process_waits_on_it(tmp_path, hold, monkeypatch):
    """The race that removing lock files opens: this process opened the old lock file, then (before
    its flock) the holder released and removed it, and a third session made a new one and took it.
    The flock on the old, unreachable file succeeds; the identity check must notice and refuse."""
    import fcntl

    path = tmp_path / NAME
    lock_file = lock_paths(path)[0]
    lock_file.touch()  # the previous holder's file
    real_flock = fcntl.flock
    third = []

    def flock(fd, operation):
        if not third:
            lock_file.unlink()             # the previous holder releases: removes its file...
            third.append(hold(path))       # ...and a third session creates a new one and takes it
        return real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", flock)
    with pytest.raises(PlanLocked) as refused:
        with plan_lock(path, "edit"):
            pytest.fail("two sessions hold the plan at once")
    assert f"process {third[0].pid}" in str(refused.value)


def test_release_never_removes_a_lock_file_another_session_made(tmp_path):
    path = tmp_path / NAME
    lock_file = lock_paths(path)[0]
    with plan_lock(path, "edit"):
        lock_file.unlink()           # a cleanup tool deleted ours...
        lock_file.write_text("")     # ...and another session made its own
        replacement = os.stat(lock_file).st_ino
    assert lock_file.exists() and os.stat(lock_file).st_ino == replacement
