"""What the README and the package metadata promise a first-time reader, checked against the code.

The README is the first thing a planner reads: it must say plainly whose questions these are, how to
come back to a plan in a new terminal, and show commands that work as written.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _first_paragraph() -> str:
    body = README.split("\n\n", 1)[1]  # after the title
    return " ".join(body.split("\n\n", 1)[0].split())


def _sentences(text: str):
    return re.split(r"(?<=[.;])\s+", " ".join(text.split()))


def _description() -> str:
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[project]", 1)[1]
    return re.search(r'^description\s*=\s*"([^"]+)"', project, re.M).group(1)


def test_first_paragraph_says_whose_questions_these_are():
    first = _first_paragraph()
    assert "this project's own" in first
    assert "Promising Practices Guide" in first and "public research" in first
    assert "not an official PAARI document" in first


def test_never_presented_as_paaris_workbook():
    """Naming PAARI's Deflection Planning Workbook is allowed only to say this is not it."""
    for where, text in (("README.md", README), ("pyproject description", _description())):
        for sentence in _sentences(text):
            if "Deflection Planning Workbook" in sentence:
                assert re.search(r"\b(not|nor)\b", sentence), f"{where}: {sentence}"
    assert "not an official PAARI document" in _description()


def test_readme_says_how_to_come_back_in_a_new_shell():
    section = README.split("### Coming back days later", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"\. /\S+/\.venv/bin/activate", section)
    assert "pipx install ." in section
    assert "deflect resume" in section
    install = README.split("## Install and run", 1)[1].split("\n## ", 1)[0]
    assert "rather than in the source checkout" in " ".join(install.split())


def test_every_command_has_an_example_in_the_readme():
    from typer.main import get_command

    from deflect_cli.cli import app

    blocks = "\n".join(re.findall(r"```sh\n(.*?)```", README, re.S))
    shown = {line.split()[1] for line in blocks.splitlines() if line.startswith("deflect ")}
    commands = set(get_command(app).commands)
    assert commands <= shown, commands - shown
    for flag in ("--version", "--help", "--install-completion", "--show-completion"):
        assert f"deflect {flag}" in blocks


def test_set_aside_keeps_its_one_meaning():
    """"Set aside" is an answer whose question no longer applies or changed (issue 12.16); a plan
    replaced by `start --force` is kept as a snapshot, which the README must not call set aside."""
    start = README.split("### `deflect start`", 1)[1].split("###", 1)[0]
    assert "set aside" not in " ".join(start.split())
