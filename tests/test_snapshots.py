"""The snapshot store (snapshots.py): append-only copies of a plan in one hidden folder beside it.

Names never collide, pruning keeps every pinned snapshot and the newest KEEP, a symlink or a file in
place of the folder is refused with nothing written through it, and a take killed at any moment
leaves a whole snapshot or none.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from deflect_cli.errors import PlanError
from deflect_cli.plan import snapshots

from conftest import clean_env

NAME = "deflection-plan.yaml"


def test_a_snapshot_keeps_the_bytes_when_and_which_command(tmp_path):
    plan = tmp_path / NAME
    taken = snapshots.take(plan, b"deflect_plan: 2\n", "start", pinned=True)
    folder = tmp_path / f".{NAME}.snapshots"
    assert taken.path.parent == folder and folder.stat().st_mode & 0o777 == 0o700
    assert taken.path.stat().st_mode & 0o777 == 0o600
    listed, = snapshots.list_snapshots(plan)
    assert listed == taken and listed.command == "start" and listed.pinned
    assert snapshots.read(listed, 1000) == b"deflect_plan: 2\n"
    assert [p.name for p in folder.iterdir()] == [taken.name]  # no temp file left behind


def test_rapid_takes_never_collide_and_list_newest_first(tmp_path):
    plan = tmp_path / NAME
    taken = [snapshots.take(plan, f"{i}".encode(), "resume", keep=1000) for i in range(300)]
    listed = snapshots.list_snapshots(plan)
    assert len({s.name for s in listed}) == 300
    assert [snapshots.read(s, 10) for s in listed] == [f"{i}".encode() for i in reversed(range(300))]
    assert all(a.when > b.when for a, b in zip(listed, listed[1:]))  # strictly ordered, even within a microsecond
    assert listed[0] == taken[-1]


def test_a_clock_set_back_still_lists_the_newest_first(tmp_path, monkeypatch):
    import datetime as dt

    plan = tmp_path / NAME
    snapshots.take(plan, b"first", "resume")

    class Past(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2001, 1, 1, tzinfo=tz)

    monkeypatch.setattr(snapshots._dt, "datetime", Past)
    snapshots.take(plan, b"second", "resume")
    assert [snapshots.read(s, 10) for s in snapshots.list_snapshots(plan)] == [b"second", b"first"]


def test_pruning_keeps_every_pinned_one_and_the_newest_unpinned(tmp_path):
    plan = tmp_path / NAME
    pinned = []
    for i in range(40):
        taken = snapshots.take(plan, f"{i}".encode(), "start" if i % 8 == 0 else "resume", pinned=i % 8 == 0, keep=5)
        if taken.pinned:
            pinned.append(taken)
    listed = snapshots.list_snapshots(plan)
    assert set(pinned) <= set(listed) and len(pinned) == 5
    unpinned = [s for s in listed if not s.pinned]
    assert [snapshots.read(s, 10) for s in unpinned] == [b"39", b"38", b"37", b"36", b"35"]
    snapshots.prune(plan, keep=0)
    assert snapshots.list_snapshots(plan) == sorted(pinned, key=lambda s: s.when, reverse=True)


@pytest.mark.parametrize("kind", ["symlink to a folder", "symlink to nowhere", "a file"])
def test_anything_but_a_real_folder_is_refused_and_nothing_is_written_through_it(tmp_path, kind):
    plan = tmp_path / NAME
    victim = tmp_path / "victim"
    victim.mkdir()
    where = tmp_path / f".{NAME}.snapshots"
    if kind == "symlink to a folder":
        os.symlink(victim, where)
    elif kind == "symlink to nowhere":
        os.symlink(victim / "new", where)
    else:
        where.write_bytes(b"mine")
    with pytest.raises(PlanError) as raised:
        snapshots.take(plan, b"answers", "start", pinned=True)
    message = str(raised.value)
    assert "\n" not in message and str(where) in message
    assert ("symbolic link" if kind != "a file" else "not a folder") in message
    assert list(victim.iterdir()) == []
    assert not (victim / "new").exists()
    if kind == "a file":
        assert where.read_bytes() == b"mine"
    with pytest.raises(PlanError):
        snapshots.list_snapshots(plan)


def test_a_symlink_inside_the_folder_is_never_read_through(tmp_path):
    plan = tmp_path / NAME
    taken = snapshots.take(plan, b"real", "resume")
    secret = tmp_path / "secret"
    secret.write_bytes(b"not yours")
    planted = taken.path.with_name(taken.name.replace(".auto.", ".pinned."))
    os.symlink(secret, planted)
    fake = [s for s in snapshots.list_snapshots(plan) if s.path == planted][0]
    with pytest.raises(PlanError, match="cannot read the snapshot"):
        snapshots.read(fake, 100)


TAKER = r"""
import sys
from pathlib import Path
from deflect_cli.plan import snapshots
plan = Path(sys.argv[1])
i = 0
print("ready", flush=True)
while True:
    snapshots.take(plan, (b"%08d" % i) * 400_000, "resume", keep=3)
    i += 1
"""


def test_a_take_killed_at_any_moment_leaves_a_whole_snapshot_or_none(tmp_path):
    plan = tmp_path / NAME
    rng = random.Random()
    folder = tmp_path / f".{NAME}.snapshots"
    temps = 0
    for _ in range(int(os.environ.get("DEFLECT_KILLS", "20"))):
        proc = subprocess.Popen([sys.executable, "-c", TAKER, str(plan)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=clean_env())
        assert proc.stdout.readline() == b"ready\n", proc.stderr.read()
        time.sleep(rng.uniform(0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        for snap in snapshots.list_snapshots(plan):
            data = snapshots.read(snap, 4_000_000)
            assert len(data) == 3_200_000 and data == data[:8] * 400_000, snap.name
        temps += sum(1 for p in folder.iterdir() if p.name.endswith(".tmp")) if folder.exists() else 0
        snapshots.remove_stale_temp_files(plan)
        assert not folder.exists() or not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert snapshots.list_snapshots(plan), "no take ever finished; the test proved nothing"


def test_a_filesystem_without_hard_links_still_keeps_snapshots(tmp_path, monkeypatch):
    import errno

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(snapshots.os, "link", no_links)
    plan = tmp_path / NAME
    for i in range(3):
        snapshots.take(plan, f"{i}".encode(), "resume")
    assert [snapshots.read(s, 10) for s in snapshots.list_snapshots(plan)] == [b"2", b"1", b"0"]
    assert not [p for p in (tmp_path / f".{NAME}.snapshots").iterdir() if p.name.endswith(".tmp")]
