"""Crash safety: a saving process killed at any moment leaves a whole plan (and a whole backup), equal
to a state it saved; every save that returned is on disk; temp files of killed saves are cleaned up
under the lock; the previous session's plan is kept as a snapshot; files are private to their owner.

The kill test runs DEFLECT_KILLS saver processes (default 50, about 12 s; the full 200 with
DEFLECT_KILLS=200, about 45 s) and SIGKILLs each at a random moment of its save loop.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from deflect_cli.plan import files, model, store
from deflect_cli.plan.lock import plan_lock

from conftest import FIXTURES, clean_env, no_ids

MINI = str(FIXTURES / "mini")
NAME = "deflection-plan.yaml"

# State i of a deterministic sequence: a whole new set of answers (text with quotes, CRLF, emoji and
# YAML syntax; table rows; now and then a large answer, to widen the window a kill can land in).
STATE = r"""
def state(i):
    answers = {}
    for j in range(i % 40 + 1):
        value = f"{i}/{j} " + "é日😀 \r\n'\"#: - " * (j * 3)
        if j == 0 and i % 5 == 0:
            value += "x" * 300_000
        answers[f"q{j}"] = value if j % 7 else [{"name": value, "n": j}]
    return answers
"""

# Holds the lock, continues from the saved state, saves states i, i+1, ... and prints each i once its
# save has returned. State i is recorded in `position` ("s.q<i>").
SAVER = STATE + r"""
import sys
from pathlib import Path
from deflect_cli.plan.lock import plan_lock
from deflect_cli.plan.model import Plan
from deflect_cli.plan.store import load_plan, save_plan

path = Path(sys.argv[1])
with plan_lock(path, "kill-test"):
    if path.exists():
        plan = load_plan(path)
        i = int(plan.position.split(".q")[1]) + 1
    else:
        plan, i = Plan(path=path), 0
    print("ready", flush=True)
    while True:
        plan.answers = {"s": state(i)}
        plan.skipped = [f"s.k{i}"]
        plan.position = f"s.q{i}"
        save_plan(plan)
        print(i, flush=True)
        i += 1
"""


def _state(i: int) -> dict:
    namespace: dict = {}
    exec(STATE, namespace)
    return namespace["state"](i)


def _index(plan) -> int:
    return int(plan.position.split(".q")[1])


def test_killed_saves_never_lose_or_alter_a_saved_state(tmp_path):
    kills = int(os.environ.get("DEFLECT_KILLS", "50"))
    seed = int(os.environ.get("DEFLECT_KILL_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    path = tmp_path / NAME
    states: dict = {}
    last = -1  # the state the plan file must hold at least (saves that returned)
    torn = 0
    for kill in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=clean_env())
        # The previous saver was SIGKILLed holding the lock: the kernel dropped it, so this one gets it.
        ready = proc.stdout.readline()
        assert ready == "ready\n", f"seed {seed}: {ready!r} {proc.stderr.read()}"
        delay = rng.uniform(0, 0.1)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        torn += sum(1 for p in tmp_path.iterdir() if p.name.endswith(".tmp"))  # killed mid-write
        acknowledged = [int(line) for line in out.splitlines(keepends=True) if line.endswith("\n")]
        if acknowledged:
            last = max(last, acknowledged[-1])
        if not path.exists():
            assert last == -1, f"seed {seed}: saves returned but the plan is gone"
            continue
        plan = store.load_plan(path)  # never damaged, never truncated
        i = _index(plan)
        assert last <= i <= last + 1, f"seed {seed}, kill {kill}: plan holds state {i}, last returned save {last}"
        expected = states.setdefault(i, _state(i))
        assert no_ids(plan.answers) == {"s": no_ids(expected)}, f"seed {seed}, kill {kill}: state {i} altered"
        assert plan.skipped == [f"s.k{i}"]
        last = i
        for copy in store.restorable(path):  # every snapshot is whole too
            kept = copy.plan
            assert kept is not None, f"seed {seed}: snapshot {copy.name} damaged: {copy.problem}"
            assert no_ids(kept.answers) == {"s": no_ids(states.setdefault(_index(kept), _state(_index(kept))))}
            assert _index(kept) <= i
    assert last > 0, "the savers never got to save; the test proved nothing"
    with plan_lock(path, "resume"):
        assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
        assert [p for p in (tmp_path / f".{NAME}.snapshots").iterdir() if p.name.endswith(".tmp")] == []
    print(f"{kills} kills (seed {seed}): {last + 1} states saved, {torn} kills landed mid-write")


def test_stale_temp_files_go_only_under_the_lock_and_only_ours(cli, tmp_path):
    cli("start", "--no-input", "--content", MINI)
    ours = [f".{NAME}.0123abcd.tmp", f".{NAME}.bak.89abcdef.tmp", f".{NAME}.damaged.00000000.tmp"]
    theirs = [".other.yaml.0123abcd.tmp", f".{NAME}.notes.tmp", f".{NAME}.0123abcd.tmp.keep", "x.tmp",
              f".{NAME}.json.0123abcd.tmp"]
    for name in ours + theirs:
        (tmp_path / name).write_text("partial")
    cli("status", "--content", MINI)  # reading does not take the lock, so it touches nothing
    assert all((tmp_path / name).exists() for name in ours + theirs)
    cli("resume", "--no-input", "--content", MINI)
    assert not any((tmp_path / name).exists() for name in ours)
    assert all((tmp_path / name).exists() for name in theirs)


def test_the_first_save_of_a_session_keeps_the_loaded_plan_as_a_snapshot(tmp_path):
    from deflect_cli.content.model import load_content
    from deflect_cli.plan import snapshots

    def kept():
        return [snapshots.read(s, model.MAX_PLAN_BYTES) for s in snapshots.list_snapshots(plan.path)]

    plan = model.new_plan(tmp_path / NAME, load_content(MINI))
    plan.set_answer("profile.agency", "one")
    store.save_plan(plan)
    assert kept() == []  # a new plan has nothing to keep
    session_start = plan.path.read_bytes()

    session = store.load_plan(plan.path)
    session.session_command = "edit"
    session.set_answer("profile.agency", "two")
    store.save_plan(session)
    session.set_answer("profile.agency", "three")
    store.save_plan(session)
    assert kept() == [session_start]  # one per session, not one per save
    assert snapshots.list_snapshots(plan.path)[0].command == "edit"

    next_session = store.load_plan(plan.path)
    next_session.set_answer("profile.agency", "four")
    store.save_plan(next_session)
    newest, oldest = store.restorable(plan.path)
    assert newest.plan.answer("profile", "agency") == "three" and oldest.plan.answer("profile", "agency") == "one"
    assert not store.backup_path(plan.path).exists()  # `.bak` is never written any more


def test_plans_backups_and_exports_are_private(cli, tmp_path):
    old = os.umask(0o022)
    try:
        cli("start", "--no-input", "--content", MINI)
        answers = tmp_path / "a.yaml"
        answers.write_text("profile:\n  agency: PD\n")
        cli("resume", "--no-input", "--content", MINI, "--answers", str(answers))
        for fmt in ("md", "json"):
            code, _, err = cli("export", "--format", fmt, "--content", MINI)
            assert code == 0, err
        snapshot, = (tmp_path / f".{NAME}.snapshots").iterdir()
        for name in (NAME, snapshot, "deflection-plan.md", "deflection-plan.json"):
            assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
        assert (tmp_path / f".{NAME}.snapshots").stat().st_mode & 0o777 == 0o700
    finally:
        os.umask(old)


def test_replacing_a_file_keeps_permissions_its_owner_chose(tmp_path):
    target = tmp_path / "shared-plan.md"
    target.write_text("old")
    target.chmod(0o640)
    files.atomic_write(target, "new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o640


def test_a_symlinked_plan_is_saved_through_the_link(cli, tmp_path):
    real = tmp_path / "synced" / "plan.yaml"
    real.parent.mkdir()
    cli("start", "--no-input", "--content", MINI, "--plan", str(real))
    os.symlink(real, tmp_path / NAME)
    answers = tmp_path / "a.yaml"
    answers.write_text("profile:\n  agency: Through the link\n")
    code, _, err = cli("resume", "--no-input", "--content", MINI, "--answers", str(answers))
    assert (tmp_path / NAME).is_symlink()
    assert store.load_plan(real).answer("profile", "agency") == "Through the link"
    assert store.restorable(tmp_path / NAME)  # the snapshots sit beside the name the user uses


def test_an_interrupted_write_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / NAME
    files.atomic_write(path, "before")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(files, "_fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.atomic_write(path, "after")
    assert path.read_text() == "before" and [p.name for p in tmp_path.iterdir()] == [NAME]


def test_text_that_cannot_be_encoded_is_refused_before_writing(tmp_path):
    from deflect_cli.errors import PlanError

    with pytest.raises(PlanError, match="not valid text"):
        files.atomic_write(tmp_path / NAME, "lone surrogate \ud800")
    assert list(tmp_path.iterdir()) == []


def test_sessions_that_change_nothing_keep_no_snapshot(tmp_path):
    """Looking and quitting (which saves where the person stopped) must not push real earlier
    versions out of the newest snapshots kept."""
    from deflect_cli.content.model import load_content
    from deflect_cli.plan import snapshots

    plan = model.new_plan(tmp_path / NAME, load_content(MINI))
    plan.set_answer("profile.agency", "one")
    store.save_plan(plan)
    for i in range(snapshots.KEEP + 5):
        session = store.load_plan(plan.path)
        session.position = "profile.agency" if i % 2 else None
        store.save_plan(session)
    assert snapshots.list_snapshots(plan.path) == []
    session = store.load_plan(plan.path)
    session.position = "models.chosen"
    store.save_plan(session)  # the first save moved only the place...
    session.set_answer("profile.agency", "two")
    store.save_plan(session)  # ...the second changed an answer: the loaded plan is kept now
    kept, = store.restorable(plan.path)
    assert kept.plan.answer("profile", "agency") == "one"
