"""The conventions people expect of a command-line tool: --version, -h, examples and exit codes in
every command's help, summaries that fit, shell completion, and examples that work as written."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from deflect_cli import DISTRIBUTION, __version__
from deflect_cli.cli import app

from conftest import clean_env

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("start", "resume", "export", "paperwork", "status", "review", "edit", "lint", "restore", "sections",
            "guide", "diff", "packet", "import", "merge")
# SECTION.QUESTION as written in help and README: a section id or number, a dot, a question id.
QUESTION_REF = re.compile(r"(?<![\w./-])([a-z][a-z_]*|\d{1,2})\.([a-z][a-z0-9_]*)\b(?![./-]\w)")


def _help(cli, *command: str, columns: int = 80) -> str:
    os.environ["COLUMNS"] = str(columns)  # click reads the width at each call
    try:
        code, out, err = cli(*command, "-h")
    finally:
        del os.environ["COLUMNS"]
    assert code == 0, err
    return out


def test_version_long_and_short(cli):
    for flag in ("--version", "-V"):
        code, out, err = cli(flag)
        assert code == 0, err
        assert out.strip() == f"deflect {__version__} ({DISTRIBUTION})"


def test_distribution_constant_matches_pyproject():
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[project]", 1)[1]
    assert re.search(r'^name\s*=\s*"([^"]+)"', project, re.M).group(1) == DISTRIBUTION
    assert re.search(r'^version\s*=\s*"([^"]+)"', project, re.M).group(1) == __version__


def test_every_command_registered_is_covered():
    from typer.main import get_command

    assert set(get_command(app).commands) == set(COMMANDS)


@pytest.mark.parametrize("command", ("",) + COMMANDS)
def test_h_is_help_with_examples_and_exit_codes(cli, command):
    args = (command,) if command else ()
    short = _help(cli, *args)
    code, long, _ = cli(*args, "--help")
    assert code == 0 and short == long
    assert "-h, --help" in short
    examples = short.split("Examples:", 1)[1].split("Exit codes:", 1)
    commands = [line.strip() for line in examples[0].splitlines() if line.strip().startswith("deflect")]
    assert commands and all(c.startswith(f"deflect {command}".rstrip()) for c in commands[:1])
    codes = [line.split()[0] for line in examples[1].splitlines() if re.match(r"\s+\d+\s", line)]
    assert "0" in codes and "1" in codes and "2" in codes
    if command in ("start", "resume", "review", "edit"):
        assert "130" in codes


@pytest.mark.parametrize("command", ("",) + COMMANDS)
def test_help_fits_sixty_columns(cli, command):
    """Examples and exit codes are laid out by hand (click does not wrap them), so they must fit."""
    text = _help(cli, *((command,) if command else ()), columns=60)
    tail = text.split("Examples:", 1)[1]
    assert max(len(line) for line in tail.splitlines()) <= 60, tail


def test_command_summaries_are_not_cut_off(cli):
    from typer.main import get_command

    group = get_command(app)
    for columns in (60, 80):
        listing = _help(cli, columns=columns).split("Commands:", 1)[1].split("Examples:", 1)[0]
        for name in COMMANDS:
            summary = group.commands[name].short_help
            assert summary and len(summary) <= 45
            assert re.search(rf"^  {name}\s+{re.escape(summary)}$", listing, re.M), listing
        assert "..." not in listing


def test_shell_completion_can_be_shown_installed_and_completes(deflect_bin, tmp_path):
    env = clean_env(HOME=str(tmp_path), _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    shown = subprocess.run([deflect_bin, "--show-completion", "bash"], capture_output=True, text=True,
                           env=env, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "_DEFLECT_COMPLETE=complete_bash" in shown.stdout
    installed = subprocess.run([deflect_bin, "--install-completion", "bash"], capture_output=True,
                               text=True, env=env, timeout=60)
    assert installed.returncode == 0, installed.stderr
    assert "_DEFLECT_COMPLETE" in (tmp_path / ".bash_completions" / "deflect.sh").read_text()
    completed = subprocess.run([deflect_bin], capture_output=True, text=True, timeout=60, env=clean_env(
        _DEFLECT_COMPLETE="complete_bash", COMP_WORDS="deflect ex", COMP_CWORD="1"))
    assert completed.stdout.split() == ["export"]


def _question_refs(text: str, content):
    numbers = {str(s.number) for s in content.all_sections if s.number}
    ids = {s.id for s in content.all_sections}
    for match in QUESTION_REF.finditer(text):
        if match.group(1) in numbers or match.group(1) in ids:
            yield match.group(0)


def test_question_examples_in_help_and_readme_exist(cli, content):
    from deflect_cli.plan.refs import find_question

    texts = {f"deflect {c} -h": _help(cli, *([c] if c else [])) for c in ("",) + COMMANDS}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # The content-authoring part shows how to add questions that do not exist yet.
    texts["README.md"] = readme.split("## Content authoring", 1)[0]
    found = []
    for text in texts.values():
        for ref in _question_refs(text, content):
            found.append(ref)
            find_question(content, ref)  # raises "unknown question" for one that does not exist
    assert "profile.agency" in found and "5.roster" in found


def test_question_ref_pattern_finds_section_numbers_not_file_names(content):
    text = "deflect edit 5.partners, deflection-plan.yaml, plan.md.j2, 3.9, launch.start_date."
    assert list(_question_refs(text, content)) == ["5.partners", "launch.start_date"]
