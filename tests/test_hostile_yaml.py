"""Hostile YAML in a plan, an answers file or content, through the real `deflect` in a subprocess.

Each case once crashed with a traceback (ValueError from an impossible date or a 5,000-digit number,
RecursionError from deep nesting) or took gigabytes (an anchored 1 MB value reused thousands of
times). Now: one line naming the file, a non-zero exit, nothing on disk changed. The subprocess runs
under a memory limit and a timeout, so a regression fails here instead of taking the machine down.
"""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, clean_env

MINI = FIXTURES / "mini"
NAME = "deflection-plan.yaml"
MEMORY_LIMIT = 1 << 30  # a normal run needs well under 400 MB of address space


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(deflect_bin, folder: Path, *args: str):
    result = subprocess.run(
        [deflect_bin, *args], cwd=folder, capture_output=True, text=True, timeout=120,
        preexec_fn=_limit_memory, env=clean_env(DEFLECT_NO_CACHE="1"), stdin=subprocess.DEVNULL,
    )
    return result.returncode, result.stdout, result.stderr


def deep_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def deep_map(depth: int) -> str:
    return "{a: " * depth + "1" + "}" * depth


ANCHORED = "x" * (1 << 20)
# (id, YAML text put in place of a value, what the one line must say)
VALUES = [
    ("long number", "9" * 5000, "longer than 4300 digits"),
    ("long hex number", "0x" + "f" * 5000, "longer than 4300 digits"),
    ("base-60 number", "1" + ":1" * 100_000, "longer than 4300 digits"),
    ("lists 400 deep", deep_list(400), "nested more than"),
    ("mappings 300 deep", deep_map(300), "nested more than"),
    ("anchored text reused", f"&x {ANCHORED}\nalso: [{', '.join(['*x'] * 3000)}]", "anchors and aliases"),
    ("anchor on a plain value", "&x Riverton PD", "anchors and aliases"),
]


def _files(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.endswith(".lock")}


def _one_line(code, err, name, expect):
    assert code != 0
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err[:2000]
    assert name in lines[0] and expect in lines[0], lines[0][:500]


def _good_plan(deflect_bin, folder: Path) -> bytes:
    answers = folder / "seed.yaml"
    answers.write_text("profile: {agency: Riverton PD}\nlaunch: {start_date: 2027-03-01}\n")
    code, _, err = run(deflect_bin, folder, "start", "--no-input", "--content", str(MINI), "--answers", str(answers))
    answers.unlink()
    return (folder / NAME).read_bytes()


@pytest.mark.parametrize("case", VALUES, ids=[c[0] for c in VALUES])
def test_hostile_plan(deflect_bin, tmp_path, case):
    _, value, expect = case
    good = _good_plan(deflect_bin, tmp_path)
    assert b"agency: Riverton PD" in good
    (tmp_path / NAME).write_bytes(good.replace(b"agency: Riverton PD", b"agency: " + value.encode()))
    before = _files(tmp_path)
    for command in (("status",), ("resume", "--no-input"), ("export", "-o", "-"), ("review",)):
        code, _, err = run(deflect_bin, tmp_path, *command, "--content", str(MINI))
        _one_line(code, err, NAME, expect)
        assert _files(tmp_path) == before
    # restore is the documented remedy: it must answer in words too (there is no backup to put back)
    code, _, err = run(deflect_bin, tmp_path, "restore")
    assert code != 0 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err[:2000]
    assert _files(tmp_path) == before


@pytest.mark.parametrize("case", VALUES, ids=[c[0] for c in VALUES])
def test_hostile_answers_file(deflect_bin, tmp_path, case):
    _, value, expect = case
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"profile:\n  agency: {value}\n")
    before = _files(tmp_path)
    code, _, err = run(deflect_bin, tmp_path, "start", "--no-input", "--content", str(MINI), "--answers", str(answers))
    _one_line(code, err, "answers.yaml:", expect)
    assert _files(tmp_path) == before


@pytest.mark.parametrize("case", VALUES, ids=[c[0] for c in VALUES])
def test_hostile_content(deflect_bin, tmp_path, case):
    _, value, expect = case
    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    workbook = content / "workbook.yaml"
    workbook.write_text(workbook.read_text().replace("welcome: A small workbook used by the tests.",
                                                     f"welcome: {value}"))
    for command in (("lint", "--content", "content"), ("status", "--content", "content")):
        code, out, err = run(deflect_bin, tmp_path, *command)
        problems = [line for line in (out + err).splitlines() if line.startswith("content/")]
        assert code != 0 and "Traceback" not in err
        assert len(problems) == 1 and expect in problems[0], out + err[:2000]
        assert problems[0].startswith("content/workbook.yaml:4: ")


def test_an_impossible_date_is_text_not_a_crash(deflect_bin, tmp_path):
    """`2027-13-45` unquoted made the YAML date reader raise; it is kept as the text written, so a
    date question says it is not a date and a text question keeps it."""
    answers = tmp_path / "answers.yaml"
    answers.write_text("profile: {agency: 2027-13-45}\nlaunch: {start_date: 2027-13-45}\n")
    code, _, err = run(deflect_bin, tmp_path, "start", "--no-input", "--content", str(MINI), "--answers", str(answers))
    assert code != 0 and "Traceback" not in err
    assert "answers.yaml:2: launch.start_date: " in err  # the date check says why (wording in answers.py)
    assert "agency: '2027-13-45'" in (tmp_path / NAME).read_text()

    plan = tmp_path / NAME
    plan.write_text(re.sub(r"(?m)^created: .*$", "created: 2027-13-45", plan.read_text()))
    code, out, err = run(deflect_bin, tmp_path, "status", "--content", str(MINI))
    assert code == 0 and "Traceback" not in err, err
    code, out, err = run(deflect_bin, tmp_path, "restore")
    assert "Traceback" not in err, err

    content = tmp_path / "content"
    shutil.copytree(MINI, content)
    workbook = content / "workbook.yaml"
    workbook.write_text(workbook.read_text().replace('version: "1"', "version: 2027-13-45"))
    code, _, err = run(deflect_bin, tmp_path, "lint", "--content", "content")
    assert code == 0, err
