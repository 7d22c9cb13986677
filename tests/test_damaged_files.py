"""Damaged or foreign plan files, and files that cannot be read or written.

Every case, through every command that reads a plan: one line on stderr naming the file and the
problem, a non-zero exit, no traceback, and the bytes on disk exactly as they were.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
import yaml

from deflect_cli.plan import model, store

from conftest import FIXTURES

MINI = str(FIXTURES / "mini")
NAME = "deflection-plan.yaml"


@pytest.fixture(autouse=True)
def _no_content_cache(monkeypatch):
    monkeypatch.setenv("DEFLECT_NO_CACHE", "1")


def good_plan_bytes(tmp_path) -> bytes:
    from deflect_cli.content.model import load_content

    plan = model.new_plan(tmp_path / "good.yaml", load_content(MINI))
    plan.set_answer("profile.agency", "Riverton PD")
    plan.set_answer("models.chosen", ["qrt", "self_referral"])
    plan.set_answer("models.qrt_window", 48)
    store.save_plan(plan)
    data = plan.path.read_bytes()
    plan.path.unlink()
    return data


def cut(fraction: float):
    def damage(good: bytes) -> bytes:
        return good[: int(len(good) * fraction)]
    return damage


def cut_at_line_before_marker(good: bytes) -> bytes:
    return good[: good.index(b"end_of_plan")]


def replace(old: bytes, new: bytes):
    def damage(good: bytes) -> bytes:
        assert old in good
        return good.replace(old, new, 1)
    return damage


def edit(change):
    """Damage the plan's data rather than its text: parse, change, write back as YAML."""
    def damage(good: bytes) -> bytes:
        data = yaml.safe_load(good)
        change(data)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")
    return damage


CURRENT = f"deflect_plan: {model.SCHEMA_VERSION}".encode()

# (case id, bytes for the plan file or a function of a good plan's bytes, what the one line must say)
CASES = [
    ("empty", b"", "the plan file is empty"),
    ("whitespace", b"  \n\n\t\n", "the plan file is empty"),
    ("truncated at a line", cut_at_line_before_marker, "incomplete"),
    ("truncated mid-file", cut(0.6), None),
    ("truncated early", cut(0.2), None),
    ("binary", bytes(range(256)) * 4, "not UTF-8"),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40, "not UTF-8"),
    ("nul bytes", b"deflect_plan: 2\n\x00\x00\x00\n", "damaged"),
    ("not yaml", b"answers: [unclosed\n  - {\n", "damaged (line"),
    ("tab indentation", b"deflect_plan: 2\nanswers:\n\tprofile: {}\n", "damaged"),
    ("a list", b"- one\n- two\n", "not a deflect plan"),
    ("a number", b"42\n", "not a deflect plan"),
    ("foreign yaml", b"services:\n  web:\n    image: nginx\n", "not a deflect plan"),
    ("newer format", replace(CURRENT, b"deflect_plan: 99"), "newer deflect"),
    ("format is text", replace(CURRENT, b"deflect_plan: two"), "whole number"),
    ("format is bool", replace(CURRENT, b"deflect_plan: true"), "whole number"),
    ("end marker false", replace(b"end_of_plan: true", b"end_of_plan: false"), "incomplete"),
    ("answers is a list", edit(lambda d: d.update(answers=["wrong"])), "'answers' must map"),
    ("section is text", edit(lambda d: d["answers"].update(models="qrt")), "'answers' must map"),
    ("answer too deep", replace(b"    agency: Riverton PD", b"    agency: [[1, [2]]]"), "shape no question stores"),
    ("skipped not ids", replace(b"skipped: []", b"skipped: [1, 2]"), "'skipped' must be a list"),
    ("position number", replace(b"position: null", b"position: 7"), "'position' must be"),
    ("orphaned wrong", replace(b"orphaned: []", b"orphaned: [just text]"), "'orphaned' must be a list"),
    ("content a list", edit(lambda d: d.update(content=["x"])), "'content' must be a mapping"),
    ("created a list", edit(lambda d: d.update(created=[1])), "'created' must be a date"),
    ("fingerprints list", edit(lambda d: d.update(fingerprints=["x"])), "'fingerprints' must map"),
    ("unknown field", replace(b"end_of_plan: true", b"surprise: 1\nend_of_plan: true"), "unknown field 'surprise'"),
    ("duplicate key", replace(b"skipped: []", b"skipped: []\nskipped: []"), "duplicate key"),
    ("yaml alias", replace(b"skipped: []", b"skipped: &s []\nx: *s"), "anchors and aliases"),
    ("python tag", replace(b"position: null", b"position: !!python/object/apply:os.system [echo hi]"), "tags are not "
                                                                                                       "allowed"),
    ("binary tag", replace(b"    agency: Riverton PD", b"    agency: !!binary aGk="), "tags are not allowed"),
]

COMMANDS = [
    ("resume", "--no-input"),
    ("status",),
    ("export", "--format", "md", "-o", "-"),
    ("export", "--format", "json", "-o", "out.json"),
    ("start", "--no-input"),
]


def _files(folder: Path) -> dict:
    return {p.name: (p.read_bytes() if p.is_file() else "dir")
            for p in folder.iterdir() if not p.name.endswith(".lock")}


def _assert_one_line_failure(code, err, expect):
    assert code != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert NAME in lines[0]
    if expect:
        assert expect in lines[0], lines[0]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_damaged_plan_is_one_line_and_left_untouched(cli, tmp_path, case, command):
    _, make, expect = case
    data = make(good_plan_bytes(tmp_path)) if callable(make) else make
    (tmp_path / NAME).write_bytes(data)
    before = _files(tmp_path)
    code, out, err = cli(*command, "--content", MINI)
    _assert_one_line_failure(code, err, "already exists" if command[0] == "start" else expect)
    assert _files(tmp_path) == before


def _snapshots(tmp_path) -> list:
    return [p.read_bytes() for p in sorted((tmp_path / f".{NAME}.snapshots").iterdir())]


def test_damaged_plan_offers_the_snapshot_and_restore_puts_it_back(cli, tmp_path):
    (tmp_path / NAME).write_bytes(good_plan_bytes(tmp_path))
    original = (tmp_path / NAME).read_bytes()
    code, _, err = cli("resume", "--no-input", "--content", MINI, "--answers", str(_answers(tmp_path)))
    assert _snapshots(tmp_path) == [original]  # the plan as this session loaded it
    good = (tmp_path / NAME).read_bytes()
    damaged = good[: len(good) // 2]
    (tmp_path / NAME).write_bytes(damaged)

    code, _, err = cli("status", "--content", MINI)
    _assert_one_line_failure(code, err, "A good copy saved")
    assert f"is kept as snapshot 1 in .{NAME}.snapshots; put it back with `deflect restore`" in err
    assert "(3 answers)" in err

    code, out, err = cli("restore")
    assert code == 0, err
    assert f"Restored {NAME} from copy 1" in out and "kept as a pinned snapshot" in out
    assert damaged in _snapshots(tmp_path)  # nothing is ever lost
    assert store.load_plan(tmp_path / NAME).answer_count() == 3
    code, out, _ = cli("status", "--content", MINI)
    assert code == 0


def test_restore_refuses_to_replace_a_whole_plan_without_force(cli, tmp_path):
    (tmp_path / NAME).write_bytes(good_plan_bytes(tmp_path))
    cli("resume", "--no-input", "--content", MINI, "--answers", str(_answers(tmp_path)))
    current = (tmp_path / NAME).read_bytes()
    code, _, err = cli("restore")
    _assert_one_line_failure(code, err, "is not damaged")
    assert "deflect restore 1 --force" in err and (tmp_path / NAME).read_bytes() == current
    code, _, err = cli("restore", "--force")
    assert code == 0 and current in _snapshots(tmp_path)


def test_restore_without_a_snapshot_or_with_only_a_damaged_one(cli, tmp_path):
    code, _, err = cli("restore")
    assert code == 1 and "no snapshot to restore" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # not even a lock file
    (tmp_path / f"{NAME}.bak").write_bytes(b"garbage: [")
    (tmp_path / NAME).write_bytes(b"")
    code, _, err = cli("restore")
    assert code == 1 and "no copy of deflection-plan.yaml loads" in err and len(err.strip().splitlines()) == 1
    assert (tmp_path / NAME).read_bytes() == b"" and (tmp_path / f"{NAME}.bak").read_bytes() == b"garbage: ["


def test_a_damaged_backup_is_never_offered(cli, tmp_path):
    (tmp_path / NAME).write_bytes(b"")
    (tmp_path / f"{NAME}.bak").write_bytes(b"also: [damaged")
    code, _, err = cli("status", "--content", MINI)
    assert code == 1 and "restore" not in err


def test_start_force_keeps_a_damaged_file_without_touching_the_backup(cli, tmp_path):
    (tmp_path / NAME).write_bytes(b"not: [a plan")
    (tmp_path / f"{NAME}.bak").write_bytes(good_plan_bytes(tmp_path))
    backup = (tmp_path / f"{NAME}.bak").read_bytes()
    code, out, err = cli("start", "--no-input", "--force", "--yes", "--content", MINI)
    assert "Traceback" not in err
    assert "(a damaged file, not a whole plan) is kept as a snapshot" in out
    assert _snapshots(tmp_path) == [b"not: [a plan"]
    assert (tmp_path / f"{NAME}.bak").read_bytes() == backup


def _answers(tmp_path) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text("launch:\n  start_date: '2027-03-01'\n")
    return path


# ---------------------------------------------------------------- files that cannot be read or written


def test_a_folder_instead_of_a_plan(cli, tmp_path):
    (tmp_path / NAME).mkdir()
    for command in COMMANDS[:4]:
        code, _, err = cli(*command, "--content", MINI)
        _assert_one_line_failure(code, err, "is a folder")
    code, _, err = cli("start", "--no-input", "--content", MINI)
    _assert_one_line_failure(code, err, "is a folder")
    assert (tmp_path / NAME).is_dir() and list((tmp_path / NAME).iterdir()) == []


def test_a_symlink_loop(cli, tmp_path):
    os.symlink(NAME, tmp_path / NAME)
    code, _, err = cli("status", "--content", MINI)
    _assert_one_line_failure(code, err, "cannot read the plan")


def test_no_read_permission(cli, tmp_path, monkeypatch):
    """Tests run as root, where chmod 000 does not stop reading: simulate the PermissionError."""
    (tmp_path / NAME).write_bytes(good_plan_bytes(tmp_path))
    before = _files(tmp_path)
    real = os.open

    def opening(path, flags, *args, **kwargs):  # plans are read through os.open (safeio.read_regular)
        if Path(path).name == NAME and not flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", opening)
    for command in COMMANDS[:4]:
        code, _, err = cli(*command, "--content", MINI)
        _assert_one_line_failure(code, err, "permission denied")
    monkeypatch.undo()
    assert _files(tmp_path) == before


def _failing(monkeypatch, name: str, err: int, when=lambda *a: True):
    real = getattr(os, name)

    def broken(*args, **kwargs):
        if when(*args):
            raise OSError(err, os.strerror(err))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, broken)


@pytest.mark.parametrize("syscall, err, expect", [
    ("fsync", errno.ENOSPC, "no space left on device; free some space"),
    ("fsync", errno.EIO, "input/output error"),
    ("replace", errno.EDQUOT, "quota exceeded; free some space"),
    ("replace", errno.EROFS, "read-only file system; check that you may write in"),
])
def test_a_save_that_fails_changes_nothing(cli, tmp_path, monkeypatch, syscall, err, expect):
    (tmp_path / NAME).write_bytes(good_plan_bytes(tmp_path))
    before = _files(tmp_path)
    answers = _answers(tmp_path)
    before = _files(tmp_path)
    _failing(monkeypatch, syscall, err)
    code, out, stderr = cli("resume", "--no-input", "--content", MINI, "--answers", str(answers))
    _assert_one_line_failure(code, stderr, expect)
    assert "2027-03-01" not in stderr  # no answer text in error messages
    after = _files(tmp_path)
    if after.pop(f".{NAME}.snapshots", None):  # the save failed after the snapshot was kept:
        assert _snapshots(tmp_path) == [before[NAME]]  # it holds the plan as it still is
    assert after == before  # no temp file, plan unchanged


def test_a_folder_without_write_permission(cli, tmp_path, monkeypatch):
    (tmp_path / NAME).write_bytes(good_plan_bytes(tmp_path))
    _failing(monkeypatch, "open", errno.EACCES, when=lambda path, *a: str(path).endswith(".tmp"))
    code, _, err = cli("resume", "--no-input", "--content", MINI, "--answers", str(_answers(tmp_path)))
    _assert_one_line_failure(code, err, "permission denied; check that you may write in")


def test_a_full_disk_while_exporting_keeps_the_previous_export(cli, tmp_path, monkeypatch):
    (tmp_path / NAME).write_bytes(good_plan_bytes(tmp_path))
    (tmp_path / "deflection-plan.md").write_text("previous export")
    _failing(monkeypatch, "fsync", errno.ENOSPC)
    code, _, err = cli("export", "--format", "md", "--content", MINI)
    assert code == 1 and "deflection-plan.md" in err and "no space left on device" in err
    assert len(err.strip().splitlines()) == 1
    assert (tmp_path / "deflection-plan.md").read_text() == "previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([NAME, "deflection-plan.md"])


def test_a_plan_too_large_to_load_again_is_never_saved(tmp_path, monkeypatch):
    from deflect_cli.content.model import load_content
    from deflect_cli.errors import PlanError

    monkeypatch.setattr(model, "MAX_PLAN_BYTES", 4096)
    plan = model.new_plan(tmp_path / NAME, load_content(MINI))
    plan.set_answer("profile.agency", "x" * 5000)
    with pytest.raises(PlanError, match="larger than"):
        store.save_plan(plan)
    assert not (tmp_path / NAME).exists()
